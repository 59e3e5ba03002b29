using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Disposition;
using Archive.Documents;
using Archive.Records;
using Archive.Retention;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Core.Tests.Disposition;

/// <summary>
/// The destruction papers of Circular 06/2025 printed from a decision (danh mục, thuyết minh, biên bản hủy tài liệu)
/// and the register of decisions (issue #18 item 4), on the real engine.
/// </summary>
public sealed class DispositionPapersTests
{
    private const string OtherAgency = "000.00.00.G02";
    private const string OtherFonds = "P-G02";
    private static readonly ArchiveUser Approver = new("Phạm Thị Duyệt");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ArchiveCaller Head(bool cleared = false, string agency = ArchiveHarness.AgencyId)
        => ArchiveCaller.Authenticated(new ArchiveUser("Trần Văn Trưởng"), [ArchiveRoles.AgencyHead], [agency], secretClearance: cleared);

    private static DispositionDecisionInput Input(string id, string agency, params string[] codes) => new()
    {
        Id = id,
        DecisionNumber = "15/QĐ-BNV",
        DecisionDate = new DateOnly(2026, 5, 4),
        LegalBasis = "Thông tư 06/2025/TT-BNV",
        CouncilMinutesReference = "Biên bản họp Hội đồng xác định giá trị tài liệu ngày 20/4/2026",
        AgencyId = agency,
        ExplanatoryNote = "Sổ sách hành chính đã hết giá trị sử dụng.",
        FileCodes = codes,
    };

    private static async Task<string> FileAsync(ArchiveHarness h, string notation, int year, RetentionPeriod maintenance, AccessLevel rights = AccessLevel.Public, int? sheets = null, string fonds = ArchiveHarness.FondsCode)
        => (await h.Files.CreateAsync(ArchiveHarness.FileInput(notation, year, fonds) with { Maintenance = maintenance, Rights = rights, SheetNumber = sheets, Title = "Sổ theo dõi " + notation }, ArchiveHarness.User, Ct)).Stored.Value.FileCode;

    private static string Text(MemoryStream docx, out int tableRows)
    {
        docx.Position = 0;
        using var word = WordprocessingDocument.Open(docx, false);
        Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
        var body = word.MainDocumentPart!.Document!.Body!;
        // The heading block is a table too: count the rows of the other tables (the list's).
        tableRows = body.Elements<W.Table>().Skip(1).Where(t => t.Elements<W.TableRow>().Count() > 1).Sum(t => t.Elements<W.TableRow>().Count());
        return string.Join("\n", body.Descendants<W.Paragraph>().Select(p => p.InnerText));
    }

    [Fact]
    public async Task The_list_and_the_note_print_the_listed_files_reasons_counts_and_totals_as_valid_docx()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var a = await FileAsync(h, "01.HUY", 2012, RetentionPeriod.OfYears(5));
        var b = await FileAsync(h, "02.HUY", 2014, RetentionPeriod.OfYears(10), sheets: 7);
        await FileAsync(h, "03.GIU", 2013, RetentionPeriod.OfYears(5)); // due, reviewed, kept
        await FileAsync(h, "04.VV", 2010, RetentionPeriod.Permanent); // never due: not reviewed
        await FileAsync(h, "05.TRE", 2022, RetentionPeriod.OfYears(10)); // not due before 2032: not reviewed
        await h.Services.GetRequiredService<DispositionService>().ProposeAsync(Input("QD-01", ArchiveHarness.AgencyId, a, b), ArchiveHarness.User, Ct);
        var papers = h.Services.GetRequiredService<DispositionPaperService>();

        using var list = new MemoryStream();
        var listed = await papers.WriteAsync("QD-01", DispositionPaper.List, Head(), list, Ct);
        Assert.Equal((2, "danh-muc-tai-lieu-het-thoi-han-luu-tru-QD-01.docx"), (listed.Files, listed.FileName));
        var text = Text(list, out var rows);
        Assert.Equal(2 + 2, rows); // heading and column-number rows, then one per listed file
        foreach (var expected in new[]
        {
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BỘ NỘI VỤ", "DANH MỤC TÀI LIỆU HẾT THỜI HẠN LƯU TRỮ",
            "(Kèm theo Quyết định số 15/QĐ-BNV ngày 04/05/2026)", "Thời hạn lưu trữ", "Lý do hủy, ghi chú", "01.HUY", "Sổ theo dõi 02.HUY",
            "Hết thời hạn lưu trữ 5 năm (tính từ năm 2012)", "Hết thời hạn lưu trữ 10 năm (tính từ năm 2014)",
            "Tổng số: 2 (Hai) hồ sơ", "Tổng số tờ: 7; tổng số trang: 0", "NGƯỜI LẬP", "THỦ TRƯỞNG CƠ QUAN",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("03.GIU", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Vĩnh viễn:", text, StringComparison.Ordinal); // no permanent / fixed-term split on this list

        using var note = new MemoryStream();
        await papers.WriteAsync("QD-01", DispositionPaper.Note, Head(), note, Ct);
        text = Text(note, out _);
        foreach (var expected in new[]
        {
            "BẢN THUYẾT MINH", "Tài liệu hết thời hạn lưu trữ", "Căn cứ Thông tư 06/2025/TT-BNV;", "1. Tên cơ quan, tổ chức: Bộ Nội vụ",
            "2. Tên phông lưu trữ: Phông Bộ Nội vụ (" + ArchiveHarness.FondsCode + ")",
            "Tổng số hồ sơ đã xem xét: 3 (Ba) hồ sơ", "Số hồ sơ giữ lại: 1 (Một) hồ sơ", "Số hồ sơ đề nghị hủy: 2 (Hai) hồ sơ",
            "4. Thời gian của tài liệu đề nghị hủy: Từ năm 2012 đến năm 2014",
            "5.1. Hồ sơ có thời hạn lưu trữ 5 năm: 1 hồ sơ; lý do: đã hết thời hạn lưu trữ (kết thúc năm 2012).",
            "5.2. Hồ sơ có thời hạn lưu trữ 10 năm: 1 hồ sơ; lý do: đã hết thời hạn lưu trữ (kết thúc năm 2014).",
            "Sổ sách hành chính đã hết giá trị sử dụng.",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_destruction_record_is_refused_until_executed_then_states_quantities_refusals_and_both_parties()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var a = await FileAsync(h, "01.HUY", 2012, RetentionPeriod.OfYears(5));
        var b = await FileAsync(h, "02.HUY", 2014, RetentionPeriod.OfYears(10));
        var held = await FileAsync(h, "03.GIU", 2013, RetentionPeriod.OfYears(5));
        await h.Files.SetLegalHoldAsync(held, true, "Quyết định tạm giữ của cơ quan điều tra", null, ArchiveHarness.User, Ct);
        var decisions = h.Services.GetRequiredService<DispositionService>();
        await decisions.ProposeAsync(Input("QD-02", ArchiveHarness.AgencyId, a, b, held), ArchiveHarness.User, Ct);
        var papers = h.Services.GetRequiredService<DispositionPaperService>();

        using var early = new MemoryStream();
        var conflict = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await papers.WriteAsync("QD-02", DispositionPaper.Record, Head(), early, Ct));
        Assert.Equal(DispositionRules.NotExecuted, conflict.Rule);
        await decisions.ApproveAsync("QD-02", Approver, Ct);
        await Assert.ThrowsAsync<ArchiveConflictException>(async () => await papers.WriteAsync("QD-02", DispositionPaper.Record, Head(), early, Ct));
        Assert.Equal(0, early.Length);

        await decisions.ExecuteAsync("QD-02", Approver, Ct);
        using var record = new MemoryStream();
        var result = await papers.WriteAsync("QD-02", DispositionPaper.Record, Head(), record, Ct);
        Assert.Equal((2, "bien-ban-huy-tai-lieu-QD-02.docx"), (result.Files, result.FileName));
        var text = Text(record, out _);
        foreach (var expected in new[]
        {
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN BẢN", "Về việc hủy tài liệu hết thời hạn lưu trữ",
            "Căn cứ Quyết định số 15/QĐ-BNV ngày 04/05/2026 về việc hủy tài liệu hết thời hạn lưu trữ;",
            "BÊN GIAO TÀI LIỆU HỦY: Bộ Nội vụ", "BÊN THỰC HIỆN HỦY:", "Ông (bà): Phạm Thị Duyệt",
            "1. Tên khối tài liệu hủy: Tài liệu hết thời hạn lưu trữ của Bộ Nội vụ", "2. Thời gian của tài liệu: Từ năm 2012 đến năm 2014",
            "Tổng số hồ sơ: 2 (Hai) hồ sơ", "4. Phương thức hủy: Hủy tài liệu điện tử",
            "5. Hồ sơ không hủy: 1 (Một) hồ sơ", "03.GIU — Sổ theo dõi 03.GIU: hồ sơ đang bị tạm giữ",
            "Danh mục tài liệu hết thời hạn lưu trữ kèm theo Quyết định số 15/QĐ-BNV: 3 hồ sơ",
            "ĐẠI DIỆN BÊN GIAO TÀI LIỆU HỦY", "ĐẠI DIỆN BÊN THỰC HIỆN HỦY", "Biên bản này được lập thành hai (02) bản",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        // After destruction the list still prints every listed file: the destroyed ones from their tombstones.
        Assert.Null(await h.Files.GetAsync(a, Ct));
        using var list = new MemoryStream();
        await papers.WriteAsync("QD-02", DispositionPaper.List, Head(), list, Ct);
        text = Text(list, out var rows);
        Assert.Equal(2 + 3, rows);
        Assert.Contains("Sổ theo dõi 01.HUY", text, StringComparison.Ordinal);
        Assert.Contains("Không hủy: hồ sơ đang bị tạm giữ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_decision_listing_a_secret_file_gives_its_papers_only_to_cleared_callers_of_its_agency_and_counts_hide_secret_files()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Sở Tư pháp");
        var secret = await FileAsync(h, "01.MAT", 2012, RetentionPeriod.OfYears(5), AccessLevel.Secret);
        var open = await FileAsync(h, "02.HUY", 2012, RetentionPeriod.OfYears(5));
        await FileAsync(h, "03.MAT", 2013, RetentionPeriod.OfYears(5), AccessLevel.Secret); // due, listed by no decision
        var decisions = h.Services.GetRequiredService<DispositionService>();
        await decisions.ProposeAsync(Input("QD-MAT", ArchiveHarness.AgencyId, secret, open), ArchiveHarness.User, Ct);
        await decisions.ProposeAsync(Input("QD-OPEN", ArchiveHarness.AgencyId, open), ArchiveHarness.User, Ct);
        var papers = h.Services.GetRequiredService<DispositionPaperService>();
        var audit = h.Services.GetRequiredService<IAuditLog>();

        foreach (var paper in new[] { DispositionPaper.List, DispositionPaper.Note })
        {
            using var refused = new MemoryStream();
            var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await papers.WriteAsync("QD-MAT", paper, Head(), refused, Ct));
            Assert.Equal((DispositionRules.Clearance, "decisionId"), (denied.Rule, denied.Field));
            Assert.DoesNotContain("01.MAT", denied.Message, StringComparison.Ordinal);
            Assert.Equal(0, refused.Length);

            // Another agency's head, even cleared, is out of scope.
            var scope = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await papers.WriteAsync("QD-MAT", paper, Head(cleared: true, agency: OtherAgency), refused, Ct));
            Assert.Equal(AccessRules.AgencyScope, scope.Rule);
        }

        var refusals = (await audit.QueryAsync(new AuditQuery { Action = AuditActions.AccessDenied, ObjectId = "QD-MAT", PageSize = 100 }, Ct)).Records;
        Assert.Contains(refusals, r => r.Event.Detail!.Contains("clearance", StringComparison.Ordinal));

        using var cleared = new MemoryStream();
        await papers.WriteAsync("QD-MAT", DispositionPaper.List, Head(cleared: true), cleared, Ct);
        Assert.Contains("Sổ theo dõi 01.MAT", Text(cleared, out _), StringComparison.Ordinal);

        // The note of a decision without Secret files: the due Secret file kept is counted only for a cleared caller.
        using var uncleared = new MemoryStream();
        await papers.WriteAsync("QD-OPEN", DispositionPaper.Note, Head(), uncleared, Ct);
        Assert.Contains("Tổng số hồ sơ đã xem xét: 1 (Một) hồ sơ", Text(uncleared, out _), StringComparison.Ordinal); // 02.HUY; 01.MAT, 03.MAT hidden
        using var clearedNote = new MemoryStream();
        await papers.WriteAsync("QD-OPEN", DispositionPaper.Note, Head(cleared: true), clearedNote, Ct);
        Assert.Contains("Tổng số hồ sơ đã xem xét: 3 (Ba) hồ sơ", Text(clearedNote, out _), StringComparison.Ordinal);

        // Once executed, the destroyed Secret file's tombstone keeps its level: still refused without clearance.
        await decisions.ApproveAsync("QD-MAT", Approver, Ct);
        await decisions.ExecuteAsync("QD-MAT", Approver, Ct);
        Assert.Null(await h.Files.GetAsync(secret, Ct));
        using var after = new MemoryStream();
        var stillDenied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await papers.WriteAsync("QD-MAT", DispositionPaper.Record, Head(), after, Ct));
        Assert.Equal(DispositionRules.Clearance, stillDenied.Rule);
        await papers.WriteAsync("QD-MAT", DispositionPaper.Record, Head(cleared: true), after, Ct);
        Assert.Contains("Tổng số hồ sơ: 2 (Hai) hồ sơ", Text(after, out _), StringComparison.Ordinal);

        // Offline (no caller) everything is printed.
        using var offline = new MemoryStream();
        Assert.Equal(2, (await papers.WriteAsync("QD-MAT", DispositionPaper.List, null, offline, Ct)).Files);
    }

    [Fact]
    public async Task Bad_requests_name_the_field_and_rule_and_a_service_without_policy_refuses_a_caller()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = await FileAsync(h, "01.HUY", 2012, RetentionPeriod.OfYears(5));
        await h.Services.GetRequiredService<DispositionService>().ProposeAsync(Input("QD-03", ArchiveHarness.AgencyId, code), ArchiveHarness.User, Ct);
        var papers = h.Services.GetRequiredService<DispositionPaperService>();
        using var output = new MemoryStream();

        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await papers.WriteAsync("QD-03", (DispositionPaper)9, Head(), output, Ct));
        Assert.Contains(bad.Errors, e => e is { Field: "paper", Rule: "disposition.paper" });
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await papers.WriteAsync("QD-NONE", DispositionPaper.List, Head(), output, Ct));
        var unfiltered = new DispositionPaperService(h.Services.GetRequiredService<DispositionService>(), h.Files, h.Fonds, h.Agencies, h.Services.GetRequiredService<IOfficeDocumentWriter>());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await unfiltered.WriteAsync("QD-03", DispositionPaper.List, Head(), output, Ct));
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task The_register_lists_decisions_by_status_and_agency_within_the_callers_scope_in_pages()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Sở Tư pháp");
        var mine = await FileAsync(h, "01.HUY", 2012, RetentionPeriod.OfYears(5));
        var theirs = await FileAsync(h, "01.HUY", 2012, RetentionPeriod.OfYears(5), fonds: OtherFonds);
        var decisions = h.Services.GetRequiredService<DispositionService>();
        await decisions.ProposeAsync(Input("QD-A1", ArchiveHarness.AgencyId, mine), ArchiveHarness.User, Ct);
        await decisions.ProposeAsync(Input("QD-A2", ArchiveHarness.AgencyId, mine), ArchiveHarness.User, Ct);
        await decisions.ApproveAsync("QD-A2", Approver, Ct);
        await decisions.ProposeAsync(Input("QD-B1", OtherAgency, theirs), ArchiveHarness.User, Ct);

        // Storage order (stable, not sorted): compare as sets, page with the storage order.
        async Task<string[]> Ids(DispositionQuery q, ArchiveCaller? caller) => (await decisions.ListAsync(q, caller, Ct).ToListAsync(Ct)).Select(v => v.Value.Id).ToArray();
        async Task<string[]> Sorted(DispositionQuery q, ArchiveCaller? caller) => [.. (await Ids(q, caller)).Order(StringComparer.Ordinal)];
        var admin = ArchiveCaller.Authenticated(Approver, [ArchiveRoles.Administrator]);

        Assert.Equal(["QD-A1", "QD-A2", "QD-B1"], await Sorted(new DispositionQuery(), admin));
        Assert.Equal(["QD-A1", "QD-A2", "QD-B1"], await Sorted(new DispositionQuery(), null));
        Assert.Equal(["QD-A1", "QD-A2"], await Sorted(new DispositionQuery(), Head()));
        Assert.Equal(["QD-B1"], await Sorted(new DispositionQuery(), Head(agency: OtherAgency)));
        Assert.Equal(["QD-A2"], await Sorted(new DispositionQuery { Status = DispositionStatus.Approved }, Head()));
        Assert.Empty(await Ids(new DispositionQuery { AgencyId = OtherAgency }, Head())); // not in scope: nothing, not a refusal
        Assert.Equal(["QD-B1"], await Sorted(new DispositionQuery { AgencyId = OtherAgency }, admin));
        var all = await Ids(new DispositionQuery(), admin);
        Assert.Equal(all[1..], await Ids(new DispositionQuery { After = all[0] }, admin));

        var bad = Assert.Throws<ArchiveValidationException>(() => decisions.ListAsync(new DispositionQuery { Status = (DispositionStatus)9 }, admin, Ct));
        Assert.Contains(bad.Errors, e => e is { Field: "status", Rule: "disposition.status" });
    }
}
