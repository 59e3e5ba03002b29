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

/// <summary>
/// The lists beside the catalogue (issue #18 item 4): the file list (danh mục hồ sơ) of a fonds, a year or a
/// selection, and the catalogue of the documents inside one record file (mục lục văn bản).
/// </summary>
public sealed class CatalogueListsTests
{
    private static readonly ArchiveCaller Clerk = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);

    private static string Code(string notation, int year = 2015) => RecordFile.ComposeFileCode(ArchiveHarness.AgencyId, year, notation);

    [Fact]
    public async Task File_list_csv_has_the_list_columns_in_catalogue_order_with_the_retention_split_and_no_secret_file()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();

        using var csv = new MemoryStream();
        var result = await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, Format = CatalogueFormat.Csv }, Clerk, csv, ct);

        var lines = Lines(csv);
        Assert.Equal("Số và ký hiệu hồ sơ,Tên đề mục và tiêu đề hồ sơ,Thời hạn lưu trữ,Đơn vị/người lập hồ sơ,Ghi chú", lines[0]);
        Assert.Equal(["2.TCCB", "10.TCCB", "1.VP"], lines[1..].Select(l => l.Split(',')[0]).ToArray());
        Assert.Equal("2.TCCB,Hồ sơ về việc sắp xếp tổ chức bộ máy năm 2015,10 năm,Phòng Tổ chức cán bộ,", lines[1]);
        Assert.StartsWith("10.TCCB,\"'=HYPERLINK(\"\"x\"\")\",10 năm,'+cmd|' /C calc'!A0,", lines[2], StringComparison.Ordinal); // formulas defused
        Assert.Equal(new CatalogueTotals(3, 1, 2, 12, 0), result.Totals); // the Secret file 3.MAT is neither listed nor counted
        Assert.Equal("danh-muc-ho-so-" + ArchiveHarness.FondsCode + ".csv", result.FileName);

        // The operator offline sees the Secret file too; a year narrows the list.
        using var all = new MemoryStream();
        Assert.Equal(4, (await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, Format = CatalogueFormat.Csv }, null, all, ct)).Totals.Total);
        using var year = new MemoryStream();
        Assert.Equal(1, (await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, Year = 2016, Format = CatalogueFormat.Csv }, Clerk, year, ct)).Totals.Total);
    }

    [Fact]
    public async Task File_list_xlsx_and_docx_are_valid_with_the_list_heading_columns_and_totals()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();

        using var xlsx = new MemoryStream();
        await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList }, Clerk, xlsx, ct);
        xlsx.Position = 0;
        using (var book = SpreadsheetDocument.Open(xlsx, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, ct));
            var sheet = book.WorkbookPart!.WorksheetParts.Single().Worksheet;
            var texts = sheet.Descendants<S.InlineString>().Select(s => s.InnerText).ToList();
            Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", texts);
            Assert.Contains("DANH MỤC HỒ SƠ", texts);
            Assert.Contains("Đơn vị/người lập hồ sơ", texts);
            Assert.Contains("Phòng Tổ chức cán bộ", texts);
            Assert.Contains("Trong đó: Vĩnh viễn: 1 hồ sơ; Có thời hạn: 2 hồ sơ", texts);
            Assert.DoesNotContain("3.MAT", texts);
            Assert.Equal(5, sheet.Descendants<S.Column>().Count());
        }

        using var docx = new MemoryStream();
        await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, Format = CatalogueFormat.Docx }, Clerk, docx, ct);
        docx.Position = 0;
        using var word = WordprocessingDocument.Open(docx, false);
        Assert.Empty(new OpenXmlValidator().Validate(word, ct));
        var text = word.MainDocumentPart!.Document!.InnerText;
        Assert.Contains("DANH MỤC HỒ SƠ", text, StringComparison.Ordinal);
        Assert.Contains("Thời hạn lưu trữ", text, StringComparison.Ordinal);
        Assert.Contains("Tổng số: 3 (Ba) hồ sơ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_selection_lists_only_its_files_and_a_missing_code_and_a_secret_one_are_refused_alike_writing_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();

        using var csv = new MemoryStream();
        var chosen = await service.WriteAsync(new CatalogueRequest
        {
            FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, Format = CatalogueFormat.Csv, FileCodes = [Code("1.VP", 2016), Code("10.TCCB"), Code("10.TCCB")],
        }, Clerk, csv, ct);
        Assert.Equal(["10.TCCB", "1.VP"], Lines(csv)[1..].Select(l => l.Split(',')[0]).ToArray()); // catalogue order, a repeat once
        Assert.Equal(2, chosen.Totals.Total);

        // The Secret file for a clerk without clearance, and a code that is nowhere: the same field, rule and message.
        using var output = new MemoryStream();
        var secret = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.WriteAsync(new CatalogueRequest
        {
            FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, FileCodes = [Code("10.TCCB"), Code("3.MAT")],
        }, Clerk, output, ct));
        var missing = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.WriteAsync(new CatalogueRequest
        {
            FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, FileCodes = [Code("10.TCCB"), Code("9.KHONG")],
        }, Clerk, output, ct));
        Assert.Equal(0, output.Length);
        var s = Assert.Single(secret.Errors);
        var m = Assert.Single(missing.Errors);
        Assert.Equal(("fileCodes[1]", "catalogue.selection-unknown"), (s.Field, s.Rule));
        Assert.Equal((s.Field, s.Rule, s.Message), (m.Field, m.Rule, m.Message));

        // A file of another fonds is not in this one either; the cleared operator offline may name the Secret file.
        await h.SeedAsync("000.00.00.G10", "P-OTHER", "Sở Nội vụ");
        var foreign = (await h.Files.CreateAsync(ArchiveHarness.FileInput("7.KH", 2014, "P-OTHER"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var other = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.WriteAsync(new CatalogueRequest
        {
            FondsCode = ArchiveHarness.FondsCode, FileCodes = [foreign],
        }, null, output, ct));
        Assert.Equal("catalogue.selection-unknown", Assert.Single(other.Errors).Rule);
        Assert.Equal(1, (await service.WriteAsync(new CatalogueRequest { FondsCode = ArchiveHarness.FondsCode, FileCodes = [Code("3.MAT")], Format = CatalogueFormat.Csv }, null, output, ct)).Totals.Total);

        // A readable file of the other status is excluded by name; the selection's size and the kind have rules too.
        using var none = new MemoryStream();
        var unfinished = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.WriteAsync(new CatalogueRequest
        {
            FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.FileList, FileCodes = [Code("4.DC")],
        }, Clerk, none, ct));
        Assert.Equal(("fileCodes[0]", "catalogue.selection-excluded"), (unfinished.Errors[0].Field, unfinished.Errors[0].Rule));
        var big = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.WriteAsync(new CatalogueRequest
        {
            FondsCode = ArchiveHarness.FondsCode, Kind = CatalogueKind.DepositCatalogue, FileCodes = [.. Enumerable.Range(1, CatalogueService.MaxSelection + 1).Select(i => Code(i + ".X"))],
        }, Clerk, none, ct));
        Assert.Contains(big.Errors, e => e is { Field: "fileCodes", Rule: "catalogue.selection-size" });
        Assert.Contains(big.Errors, e => e is { Field: "kind", Rule: "catalogue.kind" });
        Assert.Equal(0, none.Length);
    }

    [Fact]
    public async Task Document_catalogue_lists_the_documents_in_file_order_with_their_sheets_and_is_valid_office()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();
        var code = Code("2.TCCB");
        var u = ArchiveHarness.User;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("12", "QĐ-BNV", "Về việc thành lập tổ công tác") with { TypeName = "Quyết định", PageAmount = 2 }, null, u, ct);
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("05", "BNV-VP", "=1+1") with { PageAmount = 1 }, null, u, ct);
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("20", "BC-BNV", "Báo cáo kết quả") with { TypeName = "Báo cáo", PageAmount = 3, OrganName = "Vụ Tổ chức" }, null, u, ct);
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("21", "BNV-VP", "Bản trùng") with { PageAmount = 4 }, null, u, ct);
        await h.Files.MarkNonArchivalAsync(code, 4, NonArchivalKind.ReferenceCopy, "Bản trùng", null, u, ct);

        using var csv = new MemoryStream();
        var result = await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = code, Format = CatalogueFormat.Csv }, Clerk, csv, ct);
        var lines = Lines(csv);
        Assert.Equal("STT,\"Số, ký hiệu văn bản\",\"Ngày, tháng, năm văn bản\",Tên loại và trích yếu nội dung văn bản,Tác giả văn bản,Tờ/trang số,Ghi chú", lines[0]);
        Assert.Equal(
        [
            "1,12/QĐ-BNV,19/03/2015,Quyết định: Về việc thành lập tổ công tác,Bộ Nội vụ,1-2,",
            "2,05/BNV-VP,19/03/2015,Công văn: =1+1,Bộ Nội vụ,3,",
            "3,20/BC-BNV,19/03/2015,Báo cáo: Báo cáo kết quả,Vụ Tổ chức,4-6,",
        ], lines[1..]);
        Assert.Equal(3, result.Totals.Total);
        Assert.Equal("muc-luc-van-ban-" + code + ".csv", result.FileName);

        foreach (var format in new[] { CatalogueFormat.Xlsx, CatalogueFormat.Docx })
        {
            using var office = new MemoryStream();
            await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = code, Format = format }, Clerk, office, ct);
            office.Position = 0;
            using OpenXmlPackage package = format == CatalogueFormat.Xlsx ? SpreadsheetDocument.Open(office, false) : WordprocessingDocument.Open(office, false);
            Assert.Empty(new OpenXmlValidator().Validate(package, ct));
            var text = package is SpreadsheetDocument book
                ? string.Join("|", book.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<S.InlineString>().Select(s => s.InnerText))
                : ((WordprocessingDocument)package).MainDocumentPart!.Document!.InnerText;
            Assert.Contains("MỤC LỤC VĂN BẢN", text, StringComparison.Ordinal);
            Assert.Contains("Độc lập - Tự do - Hạnh phúc", text, StringComparison.Ordinal);
            Assert.Contains("Hồ sơ số: 2.TCCB", text, StringComparison.Ordinal);
            Assert.Contains("Tổng số: 3 (Ba) văn bản", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Bản trùng", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Document_catalogue_of_a_file_the_caller_may_not_read_is_not_found_like_a_missing_one_writing_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await SeededAsync();
        var service = h.Services.GetRequiredService<CatalogueService>();
        using var output = new MemoryStream();

        var secret = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = Code("3.MAT") }, Clerk, output, ct));
        var missing = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = Code("9.KHONG") }, Clerk, output, ct));
        Assert.Equal(secret.Message.Replace("3.MAT", "9.KHONG", StringComparison.Ordinal), missing.Message);
        Assert.Equal(0, output.Length);
        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = " ", Format = (CatalogueFormat)9 }, Clerk, output, ct));
        Assert.Contains(bad.Errors, e => e is { Field: "fileCode", Rule: "fileCode.required" });
        Assert.Contains(bad.Errors, e => e is { Field: "format", Rule: "catalogue.format" });

        // The cleared clerk of the agency, and the operator offline, print it.
        var cleared = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);
        Assert.Equal(0, (await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = Code("3.MAT"), Format = CatalogueFormat.Csv }, cleared, output, ct)).Totals.Total);
        Assert.Equal(0, (await service.WriteDocumentsAsync(new DocumentCatalogueRequest { FileCode = Code("3.MAT"), Format = CatalogueFormat.Csv }, null, output, ct)).Totals.Total);
    }

    [Fact]
    public void A_file_list_of_100k_rows_is_written_as_csv_in_flat_memory()
    {
        const int rows = 100_000;
        var samples = new List<long>();
        IEnumerable<CatalogueEntry> Entries()
        {
            for (var i = 0; i < rows; i++)
            {
                if (i % 10_000 == 0)
                {
                    samples.Add(GC.GetTotalMemory(forceFullCollection: true));
                }

                yield return new CatalogueEntry { FileNotation = i + ".TCCB", Title = "Hồ sơ về việc sắp xếp tổ chức bộ máy số " + i, Retention = i % 3 == 0 ? "Vĩnh viễn" : "10 năm", IsPermanent = i % 3 == 0, Creator = "Phòng Tổ chức cán bộ" };
            }

            samples.Add(GC.GetTotalMemory(forceFullCollection: true));
        }

        var totals = CatalogueCsv.Write(new CatalogueDocument { Kind = CatalogueKind.FileList, Heading = new DocumentHeading { AgencyName = "Bộ Nội vụ" } }, Entries(), Stream.Null);
        Assert.Equal(new CatalogueTotals(rows, 33_334, rows - 33_334, 0, 0), totals);
        Assert.Equal(11, samples.Count);
        Assert.True(samples.Max() - samples[0] < 8L << 20, $"The live heap grew by {(samples.Max() - samples[0]) / 1024} KiB while writing {rows} rows.");
    }

    private static string[] Lines(MemoryStream csv)
    {
        var bytes = csv.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<ArchiveHarness> SeededAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var files = h.Files;
        var u = ArchiveHarness.User;
        await files.CreateAsync(ArchiveHarness.FileInput("10.TCCB", 2015) with { Title = "=HYPERLINK(\"x\")", Creator = "+cmd|' /C calc'!A0" }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("2.TCCB", 2015) with { SheetNumber = 12, Creator = "Phòng Tổ chức cán bộ" }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("1.VP", 2016) with { Maintenance = RetentionPeriod.Permanent }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("3.MAT", 2015) with { Rights = AccessLevel.Secret }, u, ct);
        await files.CreateAsync(ArchiveHarness.FileInput("4.DC", 2015) with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến của Sở Nội vụ" }, u, ct);
        return h;
    }
}
