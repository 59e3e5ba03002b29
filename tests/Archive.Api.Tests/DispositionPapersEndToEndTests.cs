using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// The destruction papers and the register of disposition decisions (issue #18 item 4) end to end, only through the
/// client NSwag generates from the served OpenAPI document, against a real <c>Archive.Server</c> process with API keys
/// made by its own <c>apikey create</c> verb; then the offline CLI verbs <c>disposition list</c> and <c>disposition
/// papers</c> on the same data folder once the server has stopped.
/// </summary>
public sealed class DispositionPapersEndToEndTests : IAsyncDisposable
{
    private const string AgencyA = "000.00.81.H26";
    private const string AgencyB = "000.00.82.H26";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-destruction-" + Guid.NewGuid().ToString("N")[..8]);
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Register_papers_refusals_and_offline_verbs_through_the_generated_client_and_the_server_process()
    {
        try
        {
            await StoryAsync();
        }
        catch (ArchiveApiException<ProblemDetails> ex)
        {
            throw new InvalidOperationException($"HTTP {ex.StatusCode} {ex.Result.Title}: {ex.Result.Detail}\n{_server?.Log}", ex);
        }
    }

    private async Task StoryAsync()
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_root);
        var adminKey = await ServerProcess.CreateApiKeyAsync(data, "quan-tri", "administrator", null, secret: true, Ct);
        var headKey = await ServerProcess.CreateApiKeyAsync(data, "truong-phong-a", "agency-head", AgencyA, secret: false, Ct);
        var clearedKey = await ServerProcess.CreateApiKeyAsync(data, "chanh-van-phong-a", "agency-head", AgencyA, secret: true, Ct);
        var otherKey = await ServerProcess.CreateApiKeyAsync(data, "truong-phong-b", "agency-head", AgencyB, secret: true, Ct);
        _server = ServerProcess.Launch(data, new Dictionary<string, string>());
        await _server.WaitHealthyAsync(Ct);
        var admin = _server!.Client(adminKey);
        var head = _server!.Client(headKey);
        var cleared = _server!.Client(clearedKey);
        var other = _server!.Client(otherKey);

        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = AgencyA, Name = "Ủy ban nhân dân xã Đông Hòa" }, Ct);
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = AgencyB, Name = "Ủy ban nhân dân xã Tây Hòa" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = "P-DONGHOA", Name = "Phông UBND xã Đông Hòa", AgencyId = AgencyA, Language = "vi" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = "P-TAYHOA", Name = "Phông UBND xã Tây Hòa", AgencyId = AgencyB, Language = "vi" }, Ct);
        var open = await FileAsync(admin, "P-DONGHOA", "01.VP", "Sổ đăng ký công văn đi năm 2015", Generated.AccessLevel.Public);
        var secret = await FileAsync(admin, "P-DONGHOA", "02.MAT", "Sổ theo dõi văn bản mật năm 2015", Generated.AccessLevel.Secret);
        var theirs = await FileAsync(admin, "P-TAYHOA", "01.VP", "Sổ đăng ký công văn đến năm 2015", Generated.AccessLevel.Public);

        await head.ProposeDispositionAsync(Proposal("QD-DH-01", AgencyA, open), Ct);
        await cleared.ProposeDispositionAsync(Proposal("QD-DH-02", AgencyA, secret), Ct);
        await other.ProposeDispositionAsync(Proposal("QD-TH-01", AgencyB, theirs), Ct);

        // The register: only the decisions of the caller's agency (an administrator sees all), filtered, in pages.
        Assert.Equal(["QD-DH-01", "QD-DH-02"], await IdsAsync(head, null, null));
        Assert.Equal(["QD-TH-01"], await IdsAsync(other, null, null));
        Assert.Equal(["QD-DH-01", "QD-DH-02", "QD-TH-01"], await IdsAsync(admin, null, null));
        Assert.Empty(await IdsAsync(head, null, AgencyB));
        var first = await admin.ListDispositionsAsync(null, null, 2, null, Ct);
        Assert.Equal(2, first.Items.Count);
        var second = await admin.ListDispositionsAsync(null, null, 2, first.NextAfter, Ct);
        Assert.Null(second.NextAfter);
        Assert.Equal(3, first.Items.Concat(second.Items).Select(i => i.Id).Distinct().Count());
        var badStatus = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => head.ListDispositionsAsync("Destroyed", null, null, null, Ct));
        Assert.Equal(400, badStatus.StatusCode);
        Assert.Contains(badStatus.Result.Errors, e => e is { Field: "status", Rule: "disposition.status" });

        // The list and the note as valid DOCX for the proposer's agency.
        using (var list = await head.GetDispositionPaperAsync("QD-DH-01", "list", Ct))
        {
            Assert.Equal("1", list.Headers["Archive-Disposition-Files"].Single());
            var text = await DocxTextAsync(list);
            Assert.Contains("DANH MỤC TÀI LIỆU HẾT THỜI HẠN LƯU TRỮ", text, StringComparison.Ordinal);
            Assert.Contains("Sổ đăng ký công văn đi năm 2015", text, StringComparison.Ordinal);
            Assert.Contains("Tổng số: 1 (Một) hồ sơ", text, StringComparison.Ordinal);
        }

        using (var note = await head.GetDispositionPaperAsync("QD-DH-01", "note", Ct))
        {
            var text = await DocxTextAsync(note);
            Assert.Contains("BẢN THUYẾT MINH", text, StringComparison.Ordinal);
            Assert.Contains("Số hồ sơ đề nghị hủy: 1 (Một) hồ sơ", text, StringComparison.Ordinal);
            Assert.Contains("Tổng số hồ sơ đã xem xét: 1 (Một) hồ sơ", text, StringComparison.Ordinal); // the due Secret file is not counted for an uncleared caller
        }

        // Refusals name the rule: record before execution, a Secret file without clearance, another agency, an unknown paper.
        await AssertProblemAsync(409, "disposition.not-executed", () => head.GetDispositionPaperAsync("QD-DH-01", "record", Ct));
        var hidden = await AssertProblemAsync(403, "clearance.disposition", () => head.GetDispositionPaperAsync("QD-DH-02", "list", Ct));
        Assert.DoesNotContain("02.MAT", hidden.Result.Detail ?? string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("văn bản mật", hidden.Result.Detail ?? string.Empty, StringComparison.Ordinal);
        await AssertProblemAsync(403, "clearance.disposition", () => head.GetDestructionRecordAsync("QD-DH-02", Ct)); // the JSON record data too (titles)
        await AssertProblemAsync(403, "scope.agency", () => other.GetDispositionPaperAsync("QD-DH-01", "note", Ct));
        await AssertProblemAsync(400, "disposition.paper", () => head.GetDispositionPaperAsync("QD-DH-01", "minutes", Ct));
        await AssertProblemAsync(404, "not-found", () => head.GetDispositionPaperAsync("QD-KHONG-CO", "list", Ct));
        using (var secretList = await cleared.GetDispositionPaperAsync("QD-DH-02", "list", Ct))
        {
            Assert.Contains("Sổ theo dõi văn bản mật năm 2015", await DocxTextAsync(secretList), StringComparison.Ordinal);
        }

        // Approved by another person and executed: the destruction record, signed by both parties.
        await admin.ApproveDispositionAsync("QD-DH-01", Ct);
        await admin.ExecuteDispositionAsync("QD-DH-01", Ct);
        Assert.Equal(["QD-DH-01"], (await head.ListDispositionsAsync("Executed", null, null, null, Ct)).Items.Select(i => i.Id).ToArray());
        Assert.Equal(1, (await head.ListDispositionsAsync("executed", null, null, null, Ct)).Items.Single().Destroyed);
        using (var record = await head.GetDispositionPaperAsync("QD-DH-01", "record", Ct))
        {
            var text = await DocxTextAsync(record);
            Assert.Contains("Về việc hủy tài liệu hết thời hạn lưu trữ", text, StringComparison.Ordinal);
            Assert.Contains("Tổng số hồ sơ: 1 (Một) hồ sơ", text, StringComparison.Ordinal);
            Assert.Contains("ĐẠI DIỆN BÊN GIAO TÀI LIỆU HỦY", text, StringComparison.Ordinal);
            Assert.Contains("ĐẠI DIỆN BÊN THỰC HIỆN HỦY", text, StringComparison.Ordinal);
        }

        // Every paper handed out is in the audit trail with the caller.
        var exports = await admin.QueryAuditRecordsAsync(null, null, null, null, "package.export", "disposition-decision", "QD-DH-01", null, null, null, 100, Ct);
        Assert.Contains(exports.Items, r => r.ObjectId == "QD-DH-01" && r.Actor == "truong-phong-a" && r.Detail!.Contains("paper Record", StringComparison.Ordinal));

        // Offline, on the stopped server's data folder: the operator lists the register and prints any paper.
        await _server.DisposeAsync();
        _server = null;
        var (code, output, errors) = await ServerProcess.RunCliAsync(data, ["disposition", "list", "--status", "Proposed"], Ct);
        Assert.True(code == 0, errors);
        Assert.Contains("QD-DH-02\t15/QĐ-UBND\t2026-05-04\t" + AgencyA + "\tProposed\t1 files", output, StringComparison.Ordinal);
        Assert.DoesNotContain("QD-DH-01", output, StringComparison.Ordinal);
        var docx = Path.Combine(_root, "danh-muc.docx");
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["disposition", "papers", "--decision", "QD-DH-02", "--paper", "list", "--out", docx, "--user", "Nguyễn Thị Lưu"], Ct);
        Assert.True(code == 0, errors);
        await using (var file = File.OpenRead(docx))
        {
            Assert.Contains("Sổ theo dõi văn bản mật năm 2015", Validate(file), StringComparison.Ordinal);
        }

        (code, _, errors) = await ServerProcess.RunCliAsync(data, ["disposition", "papers", "--decision", "QD-DH-02", "--paper", "record", "--out", Path.Combine(_root, "bien-ban.docx")], Ct);
        Assert.Equal(3, code);
        Assert.Contains("disposition.not-executed", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "bien-ban.docx")));
        (code, _, errors) = await ServerProcess.RunCliAsync(data, ["disposition", "papers", "--decision", "QD-DH-02", "--paper", "minutes", "--out", docx], Ct);
        Assert.Equal(2, code);
        Assert.Contains("--paper is list, note or record", errors, StringComparison.Ordinal);
    }

    private static CreateDispositionRequest Proposal(string id, string agency, string code) => new()
    {
        Id = id,
        DecisionNumber = "15/QĐ-UBND",
        DecisionDate = new DateOnly(2026, 5, 4),
        LegalBasis = "Thông tư 06/2025/TT-BNV",
        CouncilMinutesReference = "Biên bản họp Hội đồng xác định giá trị tài liệu ngày 20/4/2026",
        AgencyId = agency,
        ExplanatoryNote = "Sổ đăng ký văn bản đã hết thời hạn lưu trữ 5 năm.",
        FileCodes = [code],
    };

    private static async Task<string[]> IdsAsync(ArchiveClient client, string? status, string? agency)
        => [.. (await client.ListDispositionsAsync(status, agency, null, null, Ct)).Items.Select(i => i.Id).Order(StringComparer.Ordinal)];

    private static async Task<ArchiveApiException<ProblemDetails>> AssertProblemAsync(int status, string rule, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(call);
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(ex.Result.Errors ?? [], e => e.Rule == rule);
        return ex;
    }

    private static async Task<string> DocxTextAsync(FileResponse response)
    {
        using var copy = new MemoryStream();
        await response.Stream.CopyToAsync(copy, Ct);
        copy.Position = 0;
        return Validate(copy);
    }

    private static string Validate(Stream docx)
    {
        using var word = WordprocessingDocument.Open(docx, false);
        Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
        return string.Join("\n", word.MainDocumentPart!.Document!.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().Select(p => p.InnerText));
    }

    private static async Task<string> FileAsync(ArchiveClient client, string fonds, string notation, string title, Generated.AccessLevel rights)
        => (await client.CreateRecordFileAsync("searchable", null, new RecordFileRequest
        {
            FondsCode = fonds,
            FileCatalog = 2015,
            FileNotation = notation,
            Title = title,
            Maintenance = "5y",
            Rights = rights,
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = RecordFileStatus.Finished,
            Keywords = [],
        }, Ct)).FileCode;
}
