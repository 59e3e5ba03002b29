using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// The backlog and the statistics end to end (issue #18 items 3 and 2), <b>only through the client NSwag generates from the
/// served OpenAPI document</b> against a real <c>Archive.Server</c> process: a batch registered, processed forward and
/// linked to the record files produced from it, a plan task pointing at it, and the statistics — JSON and XLSX — that
/// count the backlog left and agree with the catalogue, with a Secret file neither counted nor linkable for an uncleared
/// archivist; the offline <c>statistics report</c> verb on the same data folder once the server stopped.
/// </summary>
public sealed class BacklogAndStatisticsEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.82.H26";
    private const string Successor = "000.00.83.H26";
    private const string Fonds = "P-TANLOC";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-backlog-" + Guid.NewGuid().ToString("N")[..8]);
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

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
    public async Task A_batch_is_processed_and_linked_a_plan_task_points_at_it_and_statistics_count_what_is_left_as_the_catalogue_does()
    {
        var adminKey = ApiKeyStore.NewKey();
        var clerkKey = ApiKeyStore.NewKey();
        var data = Path.Combine(_root, "data");
        _server = await ServerProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["Archive__Auth__ApiKeys__0__Name"] = "quan-tri",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(adminKey),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
            ["Archive__Auth__ApiKeys__0__Clearance"] = "secret",
            ["Archive__Auth__ApiKeys__1__Name"] = "luu-tru-vien",
            ["Archive__Auth__ApiKeys__1__KeyHash"] = ApiKeyStore.Hash(clerkKey),
            ["Archive__Auth__ApiKeys__1__Roles"] = ArchiveRoles.Archivist,
            ["Archive__Auth__ApiKeys__1__Agencies"] = Agency,
            ["Archive__Statistics__BoxWidthMetres"] = "0.12",
        }, Ct);
        var admin = _server!.Client(adminKey, TimeSpan.FromMinutes(2));
        var clerk = _server!.Client(clerkKey, TimeSpan.FromMinutes(2));

        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Agency, Name = "Ủy ban nhân dân xã Tân Lộc" }, Ct);
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Successor, Name = "Ủy ban nhân dân xã Tân Lộc Mới" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = Fonds, Name = "Phông UBND xã Tân Lộc", AgencyId = Agency, Language = "vi" }, Ct);
        var budget = await FileAsync(admin, "1.TC", "10y", Generated.AccessLevel.Public);
        var plan = await FileAsync(admin, "2.VP", "permanent", Generated.AccessLevel.Public);
        var secret = await FileAsync(admin, "3.MAT", "permanent", Generated.AccessLevel.Secret);
        await admin.AddDocumentAsync(budget, null, null, null, new DocumentRequest { TypeName = "Quyết định", CodeNumber = "12", CodeNotation = "QĐ-UBND", Subject = "Phê duyệt dự toán", Language = "vi", PageAmount = 3 }, Ct);

        // Register: a negative volume names the field, nothing stored; then the batch.
        var bad = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.RegisterBacklogBatchAsync(Batch("BL-TL-01", shelfMetres: -1, boxes: -2), Ct));
        Assert.Equal(422, bad.StatusCode);
        Assert.Contains(bad.Result.Errors, e => (e.Field, e.Rule) == ("shelfMetres", "backlog.negative"));
        Assert.Contains(bad.Result.Errors, e => (e.Field, e.Rule) == ("boxes", "backlog.negative"));
        Assert.Empty((await clerk.ListBacklogBatchesAsync(Agency, null, null, null, null, Ct)).Items);
        var batch = await clerk.RegisterBacklogBatchAsync(Batch("BL-TL-01"), Ct);
        Assert.Equal((BacklogStatus.NotProcessed, 1), (batch.Status, batch.Version));
        await clerk.RegisterBacklogBatchAsync(Batch("BL-TL-02", shelfMetres: 3, location: "Kho xã, giá 5"), Ct);

        // Processing forward, with progress; back is refused by rule.
        batch = await clerk.ChangeBacklogStatusAsync("BL-TL-01", "\"v1\"", new BacklogStatusRequest { Status = BacklogStatus.InProgress, ProcessedMetres = 4, Note = "Bắt đầu chỉnh lý" }, Ct);
        Assert.Equal((BacklogStatus.InProgress, 4d, 6d), (batch.Status, batch.ProcessedMetres, batch.RemainingMetres));
        var back = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.ChangeBacklogStatusAsync("BL-TL-01", null, new BacklogStatusRequest { Status = BacklogStatus.NotProcessed }, Ct));
        Assert.Equal(("status", "backlog.status-backward"), (back.Result.Errors.Single().Field, back.Result.Errors.Single().Rule));

        // Link the files produced: the Secret one is refused to the uncleared archivist exactly as a missing code.
        var hidden = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.LinkBacklogFilesAsync("BL-TL-01", null, new LinkBacklogFilesRequest { FileCodes = [budget, secret] }, Ct));
        var missing = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.LinkBacklogFilesAsync("BL-TL-01", null, new LinkBacklogFilesRequest { FileCodes = [budget, secret + "X"] }, Ct));
        Assert.Equal((422, "fileCodes[1]", "record-file.not-found"), (hidden.StatusCode, hidden.Result.Errors.Single().Field, hidden.Result.Errors.Single().Rule));
        Assert.Equal((missing.StatusCode, missing.Result.Errors.Single().Field, missing.Result.Errors.Single().Rule), (hidden.StatusCode, hidden.Result.Errors.Single().Field, hidden.Result.Errors.Single().Rule));
        batch = await clerk.LinkBacklogFilesAsync("BL-TL-01", null, new LinkBacklogFilesRequest { FileCodes = [budget, plan] }, Ct);
        Assert.Equal([budget, plan], batch.FileCodes);
        var twice = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.LinkBacklogFilesAsync("BL-TL-02", null, new LinkBacklogFilesRequest { FileCodes = [plan] }, Ct));
        Assert.Equal(("fileCodes[0]", "backlog.file-linked"), (twice.Result.Errors.Single().Field, twice.Result.Errors.Single().Rule));

        // A plan task points at the batch (a batch that does not exist is refused by rule).
        await admin.RecordReorganisationAsync(new RecordReorganisationRequest
        {
            Id = "NQ-1700-2025", Kind = ReorganisationKind.Merger, DecisionNumber = "1700/NQ-UBTVQH15", DecisionDate = new DateOnly(2025, 6, 16),
            DecisionAuthority = "Ủy ban Thường vụ Quốc hội", EffectiveDate = new DateOnly(2025, 7, 1), Affected = [new AffectedAgencyDto { AgencyId = Agency, SuccessorAgencyId = Successor }],
        }, Ct);
        await admin.GeneratePlanAsync("NQ-1700-2025", Ct);
        var task = new PlanTaskRequest { Kind = PlanTaskKind.ReviewAndWeed, AgencyId = Agency, Title = "Chỉnh lý khối tài liệu tồn đọng 2001-2010", LeadUnit = "UBND xã Tân Lộc", CoordinatingUnits = [], BacklogBatchId = "BL-NONE" };
        var unknown = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => admin.AddPlanTaskAsync("NQ-1700-2025", null, task, Ct));
        Assert.Equal(("backlogBatchId", "plan.backlog-batch-unknown"), (unknown.Result.Errors.Single().Field, unknown.Result.Errors.Single().Rule));
        task.BacklogBatchId = "BL-TL-01";
        var withTask = await admin.AddPlanTaskAsync("NQ-1700-2025", null, task, Ct);
        Assert.Contains(withTask.Tasks, t => t.BacklogBatchId == "BL-TL-01");

        // Statistics for the archivist: as the catalogue (the Secret file not counted), with the backlog left and its speed.
        var s = await clerk.GetStatisticsAsync(null, Fonds, 2015, null, null, Ct);
        using (var catalogue = await clerk.GetFondsCatalogueAsync(Fonds, null, 2015, "csv", null, null, Ct))
        {
            Assert.Equal(catalogue.Headers["Archive-Catalogue-Files"].Single(), s.Totals.Files.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(catalogue.Headers["Archive-Catalogue-Pages"].Single(), s.Totals.Pages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal((2L, 1L, 3L), (s.Totals.Files, s.Totals.Documents, s.Totals.Pages));
        Assert.DoesNotContain(s.ByAccess, r => r.Key == "Secret");
        Assert.Equal(0.12d, s.BoxWidthMetres);
        var all = await clerk.GetStatisticsAsync(Agency, null, null, null, null, Ct);
        Assert.Equal((2, 13d, 4d, 9d, 2L), (all.Backlog.Batches, all.Backlog.ShelfMetres, all.Backlog.ProcessedMetres, all.Backlog.RemainingMetres, all.Backlog.FilesProduced));
        Assert.True(all.Backlog.MetresPerMonth > 0);
        Assert.Equal(["Kho xã, giá 2", "Kho xã, giá 5"], all.Backlog.ByLocation.Select(l => l.Key));
        Assert.Equal(3, (await admin.GetStatisticsAsync(Agency, null, null, null, null, Ct)).Totals.Files);
        var period = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.GetStatisticsAsync(null, null, null, new DateOnly(2020, 1, 1), new DateOnly(2019, 1, 1), Ct));
        Assert.Equal((422, "to", "statistics.period"), (period.StatusCode, period.Result.Errors.Single().Field, period.Result.Errors.Single().Rule));

        using (var report = await clerk.GetStatisticsReportAsync(Agency, null, null, null, null, Ct))
        {
            Assert.Equal("2", report.Headers["Archive-Statistics-Files"].Single());
            using var buffer = new MemoryStream();
            await report.Stream.CopyToAsync(buffer, Ct);
            using var book = SpreadsheetDocument.Open(new MemoryStream(buffer.ToArray()), false);
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
            var texts = book.WorkbookPart!.WorksheetParts.SelectMany(p => p.Worksheet!.Descendants<DocumentFormat.OpenXml.Spreadsheet.InlineString>()).Select(t => t.InnerText).ToList();
            Assert.Contains("BÁO CÁO THỐNG KÊ TÀI LIỆU LƯU TRỮ", texts);
            Assert.Contains("ỦY BAN NHÂN DÂN XÃ TÂN LỘC", texts);
            Assert.Contains("Đang chỉnh lý", texts);
        }

        // Offline, once the server stopped: the operator's statistics count the Secret file too.
        await _server.DisposeAsync();
        _server = null;
        var run = await ServerProcess.RunCliAsync(data, ["statistics", "report", "--agency", Agency], Ct);
        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Contains("\"files\": 3", run.Output, StringComparison.Ordinal);
    }

    private static RegisterBacklogBatchRequest Batch(string id, double shelfMetres = 10, int boxes = 80, string location = "Kho xã, giá 2") => new()
    {
        Id = id,
        AgencyId = Agency,
        SourceAgency = "Văn phòng HĐND và UBND xã Tân Lộc",
        FondsCode = Fonds,
        FromYear = 2001,
        ToYear = 2010,
        ShelfMetres = shelfMetres,
        Boxes = boxes,
        Bundles = 6,
        Condition = PhysicalCondition.Damaged,
        Location = location,
        Notes = "Tài liệu bó gói, chưa chỉnh lý",
    };

    private static async Task<string> FileAsync(ArchiveClient client, string notation, string maintenance, Generated.AccessLevel rights)
        => (await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = Fonds,
            FileCatalog = 2015,
            FileNotation = notation,
            Title = "Hồ sơ " + notation + " năm 2015",
            Maintenance = maintenance,
            Rights = rights,
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = Generated.RecordFileStatus.Finished,
            Keywords = [],
        }, Ct)).FileCode;
}
