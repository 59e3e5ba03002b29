using Archive.Core.Tests.Records;
using Archive.Disposition;
using Archive.Documents;
using Archive.Records;
using Archive.Registers;
using Archive.Retention;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.Core.Tests.Registers;

/// <summary>Statistics per agency, fonds, year and period (issue #18 item 2), reconciled with the catalogues.</summary>
public sealed class StatisticsServiceTests
{
    private const string OtherAgency = "000.00.00.H49";
    private const string OtherFonds = "P-H49";
    private static readonly ArchiveCaller Archivist = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
    private static readonly ArchiveCaller Cleared = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);
    private static readonly ArchiveUser U = ArchiveHarness.User;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Puts a record file in a box through the stored model (no engine setter exists yet: item 1 builds it).</summary>
    private static async Task PlaceAsync(ArchiveHarness h, string code, string room, string box)
    {
        var store = new PackageEntityStore<RecordFile>(h.Services.GetRequiredService<ArchiveStorage>().Files, "record-file", RecordFileService.MetadataPath);
        var v = await store.GetAsync(code, null, Ct);
        await store.CommitAsync(code, v!.Value with { Location = new PhysicalLocation { RoomCode = room, BoxNumber = box } }, v.Version, "test: place in a box", U, null, null, Ct);
    }

    private static async Task<string> FileAsync(ArchiveHarness h, RecordFileInput input, params int[] pages)
    {
        var code = (await h.Files.CreateAsync(input, U, Ct)).Stored.Value.FileCode;
        foreach (var p in pages)
        {
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(number: "0" + p, year: input.FileCatalog) with { PageAmount = p }, null, U, Ct);
        }

        return code;
    }

    /// <summary>
    /// Fonds P-G09: 2015 finished (10 y, 2 docs, 3+4 pages, one content of 13 bytes, box K1/1), 2015 finished permanent
    /// (1 doc 2 pages, box K1/1 too), 2015 Secret (1 doc, 5 pages, box K1/2), 2015 unfinished (1 doc, 1 page, no box,
    /// digitised), 2015 weeded out, 2016 finished (1 doc, 6 pages). Fonds P-H49 of another agency: one 2015 file.
    /// </summary>
    private static async Task<(ArchiveHarness H, string[] Readable2015, string Secret)> SeededAsync()
    {
        var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Ủy ban nhân dân tỉnh");
        var a = await FileAsync(h, ArchiveHarness.FileInput("01.TK"), 3, 4);
        await h.Files.AddContentAsync(a, 1, new ContentUpload { FileName = "scan.txt", Content = new MemoryStream("nội dung 01"u8.ToArray()) }, null, U, Ct);
        var b = await FileAsync(h, ArchiveHarness.FileInput("02.TK") with { Maintenance = RetentionPeriod.Permanent }, 2);
        var secret = await FileAsync(h, ArchiveHarness.FileInput("03.MAT") with { Rights = AccessLevel.Secret }, 5);
        var c = await FileAsync(h, ArchiveHarness.FileInput("04.DC") with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến", ConfidenceLevel = Reliability.Digitised }, 1);
        var weeded = await FileAsync(h, ArchiveHarness.FileInput("05.LOAI"), 9);
        await h.Files.MarkNonArchivalAsync(weeded, null, NonArchivalKind.Draft, "Bản nháp", null, U, Ct);
        await FileAsync(h, ArchiveHarness.FileInput("06.TK", 2016), 6);
        await FileAsync(h, ArchiveHarness.FileInput("01.KHAC", 2015, OtherFonds), 8);
        await PlaceAsync(h, a, "K1", "1");
        await PlaceAsync(h, b, "K1", " 1");
        await PlaceAsync(h, secret, "K1", "2");
        return (h, [a, b, c], secret);
    }

    [Fact]
    public async Task Totals_of_a_fonds_and_year_reconcile_with_its_catalogues_and_count_no_secret_file_without_clearance()
    {
        var (h, readable, secret) = await SeededAsync();
        await using var _ = h;
        var statistics = h.Services.GetRequiredService<StatisticsService>();
        var catalogues = h.Services.GetRequiredService<CatalogueService>();

        var s = await statistics.ComputeAsync(new StatisticsRequest { FondsCode = ArchiveHarness.FondsCode, Year = 2015 }, Archivist, Ct);

        // The catalogue (finished) and the unfinished list of the same fonds and year, for the same caller.
        var finished = (await catalogues.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Year = 2015, Format = CatalogueFormat.Csv }, Archivist, new MemoryStream(), Ct)).Totals;
        var unfinished = (await catalogues.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Year = 2015, Status = RecordFileStatus.Unfinished, Format = CatalogueFormat.Csv }, Archivist, new MemoryStream(), Ct)).Totals;
        long documents = 0;
        foreach (var code in readable)
        {
            documents += (await catalogues.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = code, Format = CatalogueFormat.Csv }, Archivist, new MemoryStream(), Ct)).Totals.Total;
        }

        Assert.Equal(finished.Total + unfinished.Total, s.Totals.Files);
        Assert.Equal(finished.Pages + unfinished.Pages, s.Totals.Pages);
        Assert.Equal(documents, s.Totals.Documents);
        Assert.Equal((3L, 4L, 10L), (s.Totals.Files, s.Totals.Documents, s.Totals.Pages));
        Assert.Equal(finished.Total, s.ByStatus.Single(r => r.Key == "Finished").Counts.Files);
        Assert.Equal(finished.Permanent, s.ByRetention.Single(r => r.Key == "Permanent").Counts.Files);
        Assert.Equal(finished.FixedTerm + unfinished.FixedTerm, s.ByRetention.Single(r => r.Key == "FixedTerm").Counts.Files);
        Assert.Equal("nội dung 01"u8.Length, s.Totals.Bytes);

        // One box (K1/1, holding two files) × 0.1 m; the Secret file's box is not counted either.
        Assert.Equal((1L, 0.1m), (s.Totals.Boxes, s.Totals.ShelfMetres));
        Assert.DoesNotContain(s.ByAccess, r => r.Key == "Secret");
        Assert.Equal(["Digitised", "Paper"], s.ByMedium.Select(r => r.Key));

        // Every breakdown partitions the counted files.
        foreach (var breakdown in new[] { s.ByAgency, s.ByFonds, s.ByYear, s.ByRetention, s.ByStatus, s.ByAccess, s.ByMedium, s.ByCustody })
        {
            Assert.Equal(s.Totals.Files, breakdown.Sum(r => r.Counts.Files));
            Assert.Equal(s.Totals.Pages, breakdown.Sum(r => r.Counts.Pages));
        }

        // With clearance the Secret file counts, and the catalogue agrees again.
        var withSecret = await statistics.ComputeAsync(new StatisticsRequest { FondsCode = ArchiveHarness.FondsCode, Year = 2015 }, Cleared, Ct);
        var clearedCatalogue = (await catalogues.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Year = 2015, Format = CatalogueFormat.Csv }, Cleared, new MemoryStream(), Ct)).Totals;
        Assert.Equal(clearedCatalogue.Total + unfinished.Total, withSecret.Totals.Files);
        Assert.Equal((4L, 15L, 2L, 0.2m), (withSecret.Totals.Files, withSecret.Totals.Pages, withSecret.Totals.Boxes, withSecret.Totals.ShelfMetres));
        Assert.Equal(1, withSecret.ByAccess.Single(r => r.Key == "Secret").Counts.Files);
        Assert.NotNull(await h.Files.GetAsync(secret, Ct));
    }

    [Fact]
    public async Task Agency_year_and_period_filters_select_the_files_and_the_operator_counts_everything()
    {
        var (h, _, _) = await SeededAsync();
        await using var _h = h;
        var statistics = h.Services.GetRequiredService<StatisticsService>();

        var all = await statistics.ComputeAsync(new StatisticsRequest(), null, Ct);
        Assert.Equal(6, all.Totals.Files); // weeded-out file left out, as in the catalogues
        Assert.Equal([ArchiveHarness.AgencyId, OtherAgency], all.ByAgency.Select(r => r.Key));
        Assert.Equal(["2015", "2016"], all.ByYear.Select(r => r.Key));

        Assert.Equal(1, (await statistics.ComputeAsync(new StatisticsRequest { AgencyId = OtherAgency }, null, Ct)).Totals.Files);
        Assert.Equal(1, (await statistics.ComputeAsync(new StatisticsRequest { From = new DateOnly(2016, 1, 1) }, null, Ct)).Totals.Files);
        Assert.Equal(5, (await statistics.ComputeAsync(new StatisticsRequest { To = new DateOnly(2015, 12, 31) }, null, Ct)).Totals.Files);
        Assert.Equal(0, (await statistics.ComputeAsync(new StatisticsRequest { Year = 2016, To = new DateOnly(2015, 6, 1) }, null, Ct)).Totals.Files);

        // A clerk of the other agency counts only its own file (the first agency's are not accessioned).
        var other = ArchiveCaller.Authenticated(new ArchiveUser("Lê Văn Khác"), [ArchiveRoles.Clerk], [OtherAgency]);
        Assert.Equal(1, (await statistics.ComputeAsync(new StatisticsRequest(), other, Ct)).Totals.Files);
    }

    [Fact]
    public void A_box_width_out_of_range_fails_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddArchive(o =>
        {
            o.DataPath = Path.GetTempPath();
            o.Statistics.BoxWidthMetres = 0;
        });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => sp.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains(nameof(ArchiveStatisticsOptions.BoxWidthMetres), string.Join("\n", ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_filters_are_refused_by_field_and_rule()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var statistics = h.Services.GetRequiredService<StatisticsService>();

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await statistics.ComputeAsync(
            new StatisticsRequest { AgencyId = "000.00.00.X99", FondsCode = "P-NONE", Year = 99, From = new DateOnly(2020, 1, 1), To = new DateOnly(2019, 1, 1) }, null, Ct));
        Assert.Equal(
            [("year", StatisticsRules.YearRange), ("to", StatisticsRules.Period), ("agencyId", StatisticsRules.AgencyUnknown), ("fondsCode", StatisticsRules.FondsUnknown)],
            ex.Errors.Select(e => (e.Field, e.Rule)));
    }

    [Fact]
    public async Task Destroyed_files_and_the_backlog_are_counted_with_metres_left_and_speed()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var gone = await FileAsync(h, ArchiveHarness.FileInput("01.HUY", 2012) with { Maintenance = RetentionPeriod.OfYears(5) }, 3);
        var secretGone = await FileAsync(h, ArchiveHarness.FileInput("02.HUY", 2012) with { Maintenance = RetentionPeriod.OfYears(5), Rights = AccessLevel.Secret }, 2);
        var decisions = h.Services.GetRequiredService<DispositionService>();
        await decisions.ProposeAsync(new DispositionDecisionInput
        {
            Id = "QD-01", DecisionNumber = "15/QĐ-BNV", DecisionDate = new DateOnly(2026, 5, 4), LegalBasis = "Thông tư 06/2025/TT-BNV",
            CouncilMinutesReference = "Biên bản họp Hội đồng", AgencyId = ArchiveHarness.AgencyId, FileCodes = [gone, secretGone],
        }, U, Ct);
        await decisions.ApproveAsync("QD-01", new ArchiveUser("Phạm Thị Duyệt"), Ct);
        await decisions.ExecuteAsync("QD-01", new ArchiveUser("Phạm Thị Duyệt"), Ct);

        var backlog = h.Services.GetRequiredService<BacklogService>();
        BacklogBatchInput Batch(string id, decimal metres, string location) => new() { Id = id, AgencyId = ArchiveHarness.AgencyId, SourceAgency = "Văn phòng", FromYear = 2000, ToYear = 2010, ShelfMetres = metres, Boxes = 10, Location = location };
        await backlog.RegisterAsync(Batch("BL-1", 10m, "K1"), null, U, Ct);
        await backlog.RegisterAsync(Batch("BL-2", 4m, "K2"), null, U, Ct);
        await backlog.RegisterAsync(Batch("BL-3", 2m, "K2"), null, U, Ct);
        await backlog.ChangeStatusAsync("BL-1", new BacklogStatusInput { Status = BacklogStatus.InProgress, ProcessedMetres = 2.5m }, null, null, U, Ct);
        await backlog.ChangeStatusAsync("BL-3", new BacklogStatusInput { Status = BacklogStatus.Processed }, null, null, U, Ct);

        var statistics = h.Services.GetRequiredService<StatisticsService>();
        var s = await statistics.ComputeAsync(new StatisticsRequest(), Archivist, Ct);
        Assert.Equal((1L, 3L), (s.Destroyed.Files, s.Destroyed.Pages)); // the Secret tombstone is not counted without clearance
        Assert.Equal(2, (await statistics.ComputeAsync(new StatisticsRequest(), Cleared, Ct)).Destroyed.Files);
        Assert.Equal(1, (await statistics.ComputeAsync(new StatisticsRequest { Year = 2012 }, Archivist, Ct)).Destroyed.Files);
        Assert.Equal(0, (await statistics.ComputeAsync(new StatisticsRequest { Year = 2013 }, Archivist, Ct)).Destroyed.Files);

        var b = s.Backlog;
        Assert.Equal((3, 16m, 4.5m, 11.5m, 30L), (b.Batches, b.ShelfMetres, b.ProcessedMetres, b.RemainingMetres, b.Boxes));
        Assert.Equal([1, 1, 1], b.ByStatus.Select(r => r.Batches));
        Assert.Equal([("K1", 7.5m), ("K2", 4m)], b.ByLocation.Select(r => (r.Key, r.RemainingMetres)));
        Assert.NotNull(b.FirstStartedAt);
        Assert.Equal(Math.Round(4.5m * 30.436875m, 3), b.MetresPerMonth); // started less than a day ago: one day counted
        Assert.Equal(3, (await statistics.ComputeAsync(new StatisticsRequest { Year = 2005 }, Archivist, Ct)).Backlog.Batches);
        Assert.Equal(0, (await statistics.ComputeAsync(new StatisticsRequest { Year = 2011 }, Archivist, Ct)).Backlog.Batches);
        var researcher = ArchiveCaller.Authenticated(new ArchiveUser("Độc giả"), [ArchiveRoles.Researcher]);
        var forResearcher = await statistics.ComputeAsync(new StatisticsRequest(), researcher, Ct);
        Assert.Equal((0, 0L), (forResearcher.Backlog.Batches, forResearcher.Destroyed.Files));
    }

    [Fact]
    public async Task The_xlsx_report_is_valid_with_one_sheet_per_breakdown_and_vietnamese_headings()
    {
        var (h, _, _) = await SeededAsync();
        await using var _h = h;
        var statistics = h.Services.GetRequiredService<StatisticsService>();

        using var xlsx = new MemoryStream();
        var result = await statistics.WriteReportAsync(new StatisticsRequest { FondsCode = ArchiveHarness.FondsCode }, Archivist, xlsx, Ct);
        Assert.Equal("thong-ke-" + ArchiveHarness.FondsCode + ".xlsx", result.FileName);
        xlsx.Position = 0;
        using var book = SpreadsheetDocument.Open(xlsx, false);
        Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
        var names = book.WorkbookPart!.Workbook!.Descendants<S.Sheet>().Select(s => s.Name!.Value).ToList();
        Assert.Equal(
            ["Tổng hợp", "Theo cơ quan", "Theo phông", "Theo năm", "Theo thời hạn lưu trữ", "Theo tình trạng giải quyết", "Theo mức độ tiếp cận", "Giấy và số hóa", "Bàn giao, nộp lưu", "Tồn đọng theo trạng thái", "Tồn đọng theo vị trí"],
            names);
        var byName = book.WorkbookPart.Workbook.Descendants<S.Sheet>().ToDictionary(s => s.Name!.Value!, s => (WorksheetPart)book.WorkbookPart.GetPartById(s.Id!.Value!));
        var retention = byName["Theo thời hạn lưu trữ"].Worksheet!;
        var texts = retention.Descendants<S.InlineString>().Select(s => s.InnerText).ToList();
        Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", texts);
        Assert.Contains("Độc lập - Tự do - Hạnh phúc", texts);
        Assert.Contains("BÁO CÁO THỐNG KÊ TÀI LIỆU LƯU TRỮ", texts);
        Assert.Contains("Vĩnh viễn", texts);
        Assert.Contains("Cộng", texts);
        Assert.DoesNotContain(byName["Theo mức độ tiếp cận"].Worksheet!.Descendants<S.InlineString>(), s => s.InnerText == "Mật");

        // The total line holds the files counted (4: the Secret file is not).
        var total = retention.Descendants<S.Row>().Single(r => r.Descendants<S.InlineString>().Any(s => s.InnerText == "Cộng"));
        Assert.Equal("4", total.Elements<S.Cell>().ElementAt(1).CellValue!.Text);
    }
}
