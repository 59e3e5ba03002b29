using DocumentFormat.OpenXml.Packaging;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents.Tests;

public sealed class CatalogueDocumentTests
{
    [Fact]
    public void Catalogue_xlsx_has_heading_columns_rows_totals_in_words_and_print_setup()
    {
        using var ms = new MemoryStream();
        var totals = OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(), Samples.Entries(125), ms);
        Assert.Equal(new CatalogueTotals(125, 42, 83, totals.Sheets, totals.Pages), totals);
        ms.Position = 0;
        var cells = OfficeReader.Cells(ms, out var doc);
        using (doc)
        {
            Assert.Equal("ỦY BAN NHÂN DÂN HUYỆN HÒA VANG", cells["A1"]);
            Assert.Equal("ỦY BAN NHÂN DÂN XÃ AN BÌNH", cells["A2"]);
            Assert.Equal("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", cells["E1"]);
            Assert.Equal("Độc lập - Tự do - Hạnh phúc", cells["E2"]);
            Assert.Equal("An Bình, ngày 05 tháng 01 năm 2026", cells["E3"]);
            Assert.Equal("MỤC LỤC HỒ SƠ", cells["A5"]);
            Assert.Equal("Phông: Ủy ban nhân dân xã An Bình (P-A)", cells["A6"]);
            string[] heads = ["STT", "Số và ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian bắt đầu", "Thời gian kết thúc", "Thời hạn bảo quản", "Số tờ", "Số trang", "Ghi chú"];
            Assert.Equal(heads, "ABCDEFGHI".Select(c => cells[c + "9"]).ToArray());
            Assert.Equal("(3)", cells["C10"]);

            // First data row (11), last one (135).
            Assert.Equal("1", cells["A11"]);
            Assert.Equal("01.VP", cells["B11"]);
            Assert.StartsWith("Hồ sơ số 1:", cells["C11"], StringComparison.Ordinal);
            Assert.Equal((new DateOnly(2011, 2, 2).DayNumber - new DateOnly(1899, 12, 30).DayNumber).ToString(System.Globalization.CultureInfo.InvariantCulture), cells["D11"]);
            Assert.Equal("Vĩnh viễn", cells["F11"]);
            Assert.Equal("125", cells["A135"]);
            Assert.Equal("Ghi chú 120", cells["I130"]);
            Assert.Equal("Tổng số: 125 (Một trăm hai mươi lăm) hồ sơ", cells["A137"]);
            Assert.Equal("Trong đó: Vĩnh viễn: 42 hồ sơ; Có thời hạn: 83 hồ sơ", cells["A138"]);
            Assert.Contains("NGƯỜI LẬP", cells.Values);
            Assert.Contains("Nguyễn Thị Hoà", cells.Values);

            var wb = doc.WorkbookPart!;
            var ws = wb.WorksheetParts.Single().Worksheet!;
            var setup = ws.GetFirstChild<S.PageSetup>()!;
            Assert.Equal(9U, setup.PaperSize!.Value);
            Assert.Equal(S.OrientationValues.Landscape, setup.Orientation!.Value);
            Assert.Equal("'Danh sách'!$9:$10", wb.Workbook!.DefinedNames!.Elements<S.DefinedName>().Single(d => d.Name == "_xlnm.Print_Titles").Text);
            Assert.Equal(9, ws.GetFirstChild<S.Columns>()!.Elements<S.Column>().Count());
            var fonts = wb.WorkbookStylesPart!.Stylesheet!.Fonts!.Elements<S.Font>().ToList();
            Assert.All(fonts, f => Assert.Equal("Times New Roman", f.GetFirstChild<S.FontName>()!.Val!.Value));
            Assert.Contains(fonts, f => f.GetFirstChild<S.FontSize>()!.Val!.Value == 13);
            Assert.Contains(fonts, f => f.GetFirstChild<S.FontSize>()!.Val!.Value == 14);
        }
    }

    [Fact]
    public void Catalogue_docx_has_heading_table_with_repeated_header_totals_and_signatures()
    {
        using var ms = new MemoryStream();
        OfficeDocuments.WriteCatalogueDocx(Samples.Catalogue(), Samples.Entries(125), ms);
        ms.Position = 0;
        using var doc = OfficeReader.OpenDocx(ms);
        var tables = OfficeReader.Tables(doc);
        Assert.Equal(3, tables.Count); // heading block, catalogue, signatures
        Assert.Contains("ỦY BAN NHÂN DÂN XÃ AN BÌNH", tables[0][0][0], StringComparison.Ordinal);
        Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", tables[0][0][1], StringComparison.Ordinal);
        var rows = tables[1];
        Assert.Equal(2 + 125, rows.Count);
        Assert.Equal(["STT", "Số và ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian bắt đầu", "Thời gian kết thúc", "Thời hạn bảo quản", "Số tờ", "Số trang", "Ghi chú"], rows[0]);
        Assert.Equal(["1", "01.VP"], rows[2].Take(2));
        Assert.Equal("02/02/2011", rows[2][3]);
        Assert.Equal("31/12/2024", rows[^1][4]);
        var table = doc.MainDocumentPart!.Document!.Body!.Elements<W.Table>().ElementAt(1);
        var trs = table.Elements<W.TableRow>().ToList();
        Assert.NotNull(trs[0].TableRowProperties!.GetFirstChild<W.TableHeader>());
        Assert.NotNull(trs[1].TableRowProperties!.GetFirstChild<W.TableHeader>());
        Assert.Null(trs[2].TableRowProperties!.GetFirstChild<W.TableHeader>());

        var paragraphs = OfficeReader.Paragraphs(doc);
        Assert.Contains("MỤC LỤC HỒ SƠ", paragraphs);
        Assert.Contains("Tổng số: 125 (Một trăm hai mươi lăm) hồ sơ", paragraphs);
        Assert.Contains("Trong đó: Vĩnh viễn: 42 hồ sơ; Có thời hạn: 83 hồ sơ", paragraphs);
        Assert.Contains("NGƯỜI LẬP", tables[2][0][0], StringComparison.Ordinal);

        var section = doc.MainDocumentPart.Document.Body.GetFirstChild<W.SectionProperties>()!;
        var size = section.GetFirstChild<W.PageSize>()!;
        Assert.Equal((16838U, 11906U), (size.Width!.Value, size.Height!.Value));
        Assert.Equal(W.PageOrientationValues.Landscape, size.Orient!.Value);
        var defaults = doc.MainDocumentPart.StyleDefinitionsPart!.Styles!.DocDefaults!.RunPropertiesDefault!.RunPropertiesBaseStyle!;
        Assert.Equal("Times New Roman", defaults.RunFonts!.Ascii!.Value);
        Assert.Single(doc.MainDocumentPart.FooterParts);
    }

    [Fact]
    public void Unfinished_list_shows_each_note_and_its_own_total()
    {
        var entries = new[]
        {
            new CatalogueEntry { FileNotation = "02.DC", Title = "Hồ sơ giải quyết đơn thư", Retention = "10 năm", Notes = "Chờ ý kiến của Sở Nội vụ" },
            new CatalogueEntry { FileNotation = "05.TC", Title = "Hồ sơ quyết toán", Retention = "Vĩnh viễn", IsPermanent = true, Notes = "Còn thiếu biên bản thẩm định" },
        };
        var doc = Samples.Catalogue(CatalogueKind.UnfinishedFiles) with { Signatures = [] };
        using var xlsx = new MemoryStream();
        OfficeDocuments.WriteCatalogueXlsx(doc, entries, xlsx);
        xlsx.Position = 0;
        var cells = OfficeReader.Cells(xlsx, out var sheet);
        sheet.Dispose();
        Assert.Equal("DANH SÁCH HỒ SƠ CHƯA GIẢI QUYẾT XONG", cells["A5"]);
        Assert.Equal("Ghi chú (công việc còn phải giải quyết)", cells["I9"]);
        Assert.Equal("Chờ ý kiến của Sở Nội vụ", cells["I11"]);
        Assert.Equal("Còn thiếu biên bản thẩm định", cells["I12"]);
        Assert.Equal("Tổng số: 2 (Hai) hồ sơ chưa giải quyết xong", cells["A14"]);

        using var docx = new MemoryStream();
        OfficeDocuments.WriteCatalogueDocx(doc, entries, docx);
        docx.Position = 0;
        using var word = OfficeReader.OpenDocx(docx);
        var rows = OfficeReader.Tables(word)[1];
        Assert.Equal("Chờ ý kiến của Sở Nội vụ", rows[2][8]);
        Assert.Contains("Tổng số: 2 (Hai) hồ sơ chưa giải quyết xong", OfficeReader.Paragraphs(word));
    }

    [Fact]
    public void Deposit_catalogue_has_its_title_retention_label_and_sheet_totals()
    {
        var doc = Samples.Catalogue(CatalogueKind.DepositCatalogue) with { RetentionColumnTitle = "Thời hạn lưu trữ" };
        using var xlsx = new MemoryStream();
        var totals = OfficeDocuments.WriteCatalogueXlsx(doc, Samples.Entries(21), xlsx);
        Assert.Equal(21, totals.Total);
        xlsx.Position = 0;
        var cells = OfficeReader.Cells(xlsx, out var sheet);
        sheet.Dispose();
        Assert.Equal("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", cells["A5"]);
        Assert.Equal("Thời hạn lưu trữ", cells["F9"]);
        Assert.Equal("Tổng số: 21 (Hai mươi mốt) hồ sơ", cells["A33"]);
        Assert.Equal($"Tổng số tờ: {totals.Sheets}; tổng số trang: {totals.Pages}", cells["A35"]);

        using var docx = new MemoryStream();
        OfficeDocuments.WriteCatalogueDocx(doc, Samples.Entries(21), docx);
        docx.Position = 0;
        using var word = OfficeReader.OpenDocx(docx);
        Assert.Contains("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", OfficeReader.Paragraphs(word));
        Assert.Contains("Tổng số: 21 (Hai mươi mốt) hồ sơ", OfficeReader.Paragraphs(word));
    }

    [Fact]
    public void Empty_catalogue_and_hostile_text_still_make_valid_files()
    {
        var doc = Samples.Catalogue() with { Heading = new DocumentHeading { AgencyName = "Sở Nội vụ\u0001" }, Signatures = [] };
        var entries = new[] { new CatalogueEntry { FileNotation = " 01.VP ", Title = "Tiêu đề có ký tự điều khiển \u0007 và <thẻ> & \"ngoặc\" \uD800", Retention = "5 năm", Notes = new string('x', 40_000) } };
        foreach (var write in new Func<CatalogueDocument, IEnumerable<CatalogueEntry>, Stream, CatalogueTotals>[] { OfficeDocuments.WriteCatalogueXlsx, OfficeDocuments.WriteCatalogueDocx })
        {
            using var empty = new MemoryStream();
            Assert.Equal(0, write(doc, [], empty).Total);
            using var hostile = new MemoryStream();
            write(doc, entries, hostile);
            hostile.Position = 0;
            empty.Position = 0;
            using OpenXmlPackage a = write == OfficeDocuments.WriteCatalogueXlsx ? SpreadsheetDocument.Open(hostile, false) : WordprocessingDocument.Open(hostile, false);
            OfficeReader.AssertValid(a);
            var body = a is SpreadsheetDocument x ? x.WorkbookPart!.WorksheetParts.Single().Worksheet!.InnerText : a.RootPart!.RootElement!.InnerText;
            Assert.Contains("<thẻ> & \"ngoặc\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\u0007", body, StringComparison.Ordinal);
            Assert.Contains("SỞ NỘI VỤ", body, StringComparison.Ordinal);
            using OpenXmlPackage b = write == OfficeDocuments.WriteCatalogueXlsx ? SpreadsheetDocument.Open(empty, false) : WordprocessingDocument.Open(empty, false);
            OfficeReader.AssertValid(b);
        }
    }

    [Fact]
    public void Writes_to_a_non_seekable_stream_and_leaves_it_open()
    {
        using var sink = new MemoryStream();
        using var forwardOnly = new ForwardOnlyStream(sink);
        OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(), Samples.Entries(50), forwardOnly);
        OfficeDocuments.WriteHandoverRecordDocx(RecordDocumentTests.Handover(), new ForwardOnlyStream(new MemoryStream()));
        Assert.True(forwardOnly.CanWrite);
        sink.Position = 0;
        var cells = OfficeReader.Cells(sink, out var doc);
        doc.Dispose();
        Assert.Equal("Tổng số: 50 (Năm mươi) hồ sơ", cells["A62"]);
    }

    [Fact]
    public void Rejects_missing_arguments_before_writing()
    {
        using var ms = new MemoryStream();
        Assert.Throws<ArgumentNullException>(() => OfficeDocuments.WriteCatalogueXlsx(null!, [], ms));
        Assert.Throws<ArgumentException>(() => OfficeDocuments.WriteCatalogueDocx(Samples.Catalogue() with { Heading = new DocumentHeading { AgencyName = " " } }, [], ms));
        Assert.Equal(0, ms.Length);
    }
}

/// <summary>A write-only, non-seekable stream (like a network or HTTP response stream).</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    private long _position;
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        _position += count;
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
