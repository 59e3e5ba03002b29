using System.Text;
using Archive.Core.Tests.Records;
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

/// <summary>Catalogues on demand (issue #18): which files, in which order, for whom, in which formats.</summary>
public sealed class CatalogueServiceTests
{
    [Fact]
    public async Task Csv_lists_the_finished_files_the_caller_may_read_in_catalogue_order_with_totals()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();

        // A clerk of the agency without Secret clearance: the Secret file is not listed, not even counted.
        var clerk = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
        using var csv = new MemoryStream();
        var result = await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Format = CatalogueFormat.Csv }, clerk, csv, ct);

        var bytes = csv.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("STT,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,", lines[0], StringComparison.Ordinal);
        // The year formed first, then the notation with numbers compared as numbers; the unfinished file is not here.
        Assert.Equal(["1,2.TCCB,", "2,10.TCCB,", "3,1.VP,"], lines[1..].Select(l => string.Join(',', l.Split(',')[..2]) + ",").ToArray());
        Assert.Contains("'=HYPERLINK(\"\"x\"\")", lines[2], StringComparison.Ordinal); // a formula-looking title is defused and quoted
        Assert.EndsWith(",10 năm,12,0,", lines[1], StringComparison.Ordinal);
        Assert.Equal(new CatalogueTotals(3, 1, 2, 12, 0), result.Totals);
        Assert.Equal("muc-luc-ho-so-" + ArchiveHarness.FondsCode + ".csv", result.FileName);

        // Offline (no caller): the Secret file is listed too.
        using var all = new MemoryStream();
        var everything = await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Format = CatalogueFormat.Csv }, caller: null, all, ct);
        Assert.Equal(4, everything.Totals.Total);
    }

    [Fact]
    public async Task Xlsx_and_docx_are_valid_office_files_and_the_unfinished_list_and_year_filter_select_their_files()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();

        using var xlsx = new MemoryStream();
        var year = await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Year = 2016 }, caller: null, xlsx, ct);
        Assert.Equal(1, year.Totals.Total); // only 1.VP was formed in 2016
        xlsx.Position = 0;
        using (var book = SpreadsheetDocument.Open(xlsx, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, ct));
            var texts = book.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<S.InlineString>().Select(s => s.InnerText).ToList();
            Assert.Contains("1.VP", texts);
            Assert.DoesNotContain("2.TCCB", texts);
            Assert.Contains(texts, t => t.Contains("Năm: 2016", StringComparison.Ordinal));
        }

        using var docx = new MemoryStream();
        var unfinished = await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Status = RecordFileStatus.Unfinished, Format = CatalogueFormat.Docx }, caller: null, docx, ct);
        Assert.Equal(1, unfinished.Totals.Total);
        Assert.Equal("ho-so-chua-giai-quyet-xong-" + ArchiveHarness.FondsCode + ".docx", unfinished.FileName);
        docx.Position = 0;
        using (var word = WordprocessingDocument.Open(docx, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(word, ct));
            var text = word.MainDocumentPart!.Document!.InnerText;
            Assert.Contains("DANH SÁCH HỒ SƠ CHƯA GIẢI QUYẾT XONG", text, StringComparison.Ordinal);
            Assert.Contains("Chờ ý kiến của Sở Nội vụ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_requests_name_the_field_and_rule_and_an_unknown_fonds_is_not_found()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();
        using var output = new MemoryStream();

        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Year = 3000, Format = (CatalogueFormat)7 }, null, output, ct));
        Assert.Contains(bad.Errors, e => e is { Field: "year", Rule: "catalogue.year-range" });
        Assert.Contains(bad.Errors, e => e is { Field: "format", Rule: "catalogue.format" });
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await service.WriteAsync(new CatalogueRequest { FondsCode = "NO-SUCH" }, null, output, ct));
        Assert.Equal(0, output.Length);

        // Secure by default: a service built without an access policy refuses to print for a caller (it could not filter).
        var unfiltered = new CatalogueService(h.Files, h.Fonds, h.Agencies, h.Services.GetRequiredService<IOfficeDocumentWriter>());
        var caller = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await unfiltered.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode }, caller, output, ct));
        Assert.Equal(0, output.Length);
    }

    [Theory]
    [InlineData("2.TCCB", "10.TCCB", -1)]
    [InlineData("10.TCCB", "2.TCCB", 1)]
    [InlineData("02.VP", "2.VP", -1)] // same number: ordinal tie-break, never 0 for different strings
    [InlineData("A.1", "a.1", -1)]
    [InlineData("1.VP", "1.VP", 0)]
    public void Notations_compare_their_numbers_as_numbers(string a, string b, int expected)
        => Assert.Equal(expected, Math.Sign(CatalogueService.NaturalCompare(a, b)));

    [Fact]
    public async Task A_catalogue_sorted_on_disk_is_the_catalogue_sorted_in_memory_and_leaves_no_run_files()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        foreach (var (notation, year) in new[] { ("11.TCCB", 2015), ("3.VP", 2016), ("1.TCCB", 2014), ("21.KH", 2015), ("9.TCCB", 2015), ("2.VP", 2014) })
        {
            await h.Files.CreateAsync(ArchiveHarness.FileInput(notation, year), ArchiveHarness.User, ct);
        }

        var writer = h.Services.GetRequiredService<IOfficeDocumentWriter>();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
        var inMemory = new CatalogueService(h.Files, h.Fonds, h.Agencies, writer, timeProvider: time);
        var onDisk = new CatalogueService(h.Files, h.Fonds, h.Agencies, writer, timeProvider: time) { RunSize = 2 };
        var request = new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Format = CatalogueFormat.Csv };
        using var expected = new MemoryStream();
        using var actual = new MemoryStream();
        var a = await inMemory.WriteAsync(request, caller: null, expected, ct);
        var b = await onDisk.WriteAsync(request, caller: null, actual, ct);

        Assert.Equal(10, b.Totals.Total);
        Assert.Equal(a, b);
        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(actual.ToArray()));
        var lines = Encoding.UTF8.GetString(actual.ToArray()).Split("\r\n");
        Assert.Equal(["1.TCCB", "2.VP", "2.TCCB", "3.MAT", "9.TCCB", "10.TCCB", "11.TCCB", "21.KH", "1.VP", "3.VP"], lines.Skip(1).Take(10).Select(l => l.Split(',')[1]).ToArray());
        Assert.Empty(Directory.Exists(h.Files.TempPath) ? Directory.GetFiles(h.Files.TempPath, "sort-*.run") : []);
    }

    private static async Task<ArchiveHarness> SeededAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var files = h.Files;
        var u = ArchiveHarness.User;
        await files.CreateAsync(ArchiveHarness.FileInput("10.TCCB", 2015) with { Title = "=HYPERLINK(\"x\")" }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("2.TCCB", 2015) with { SheetNumber = 12 }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("1.VP", 2016) with { Maintenance = RetentionPeriod.Permanent }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("3.MAT", 2015) with { Rights = AccessLevel.Secret }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("4.DC", 2015) with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến của Sở Nội vụ" }, u, ct);
        return h;
    }
}
