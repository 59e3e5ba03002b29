using System.IO.Compression;
using System.Text;
using Archive.Records;
using Xunit;

namespace Archive.TextExtraction.Office.Tests;

public sealed class ExtractorTests
{
    private static readonly OfficeTextExtractionOptions Options = new() { SectionCharacters = 500 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ExtractedText> ExtractAsync(IContentTextExtractor extractor, byte[] bytes, string mediaType, int max = 1_000_000)
    {
        Assert.True(extractor.CanExtract(mediaType));
        using var ms = new MemoryStream(bytes, writable: false);
        return await extractor.ExtractAsync(ms, new TextExtractionRequest { MediaType = mediaType, MaxCharacters = max }, Ct);
    }

    [Fact]
    public async Task Docx_is_split_into_sections_under_headings_labelled_with_the_heading()
    {
        var docx = Fixtures.Docx("Ủy ban nhân dân tỉnh Hà Tĩnh", "#Quyết định bổ nhiệm", "Điều 1. Bổ nhiệm ông Nguyễn Văn An", "#Điều khoản thi hành", "Quyết định có hiệu lực từ ngày ký.");
        var text = await ExtractAsync(new WordprocessingTextExtractor(Options), docx, WordprocessingTextExtractor.MediaType);

        Assert.Equal(["Mở đầu", "Quyết định bổ nhiệm", "Điều khoản thi hành"], text.Pages.Select(p => p.Label));
        Assert.Equal("Quyết định bổ nhiệm\nĐiều 1. Bổ nhiệm ông Nguyễn Văn An", text.Pages[1].Text);
        Assert.True(text.Pages.All(p => p.Text.IsNormalized(NormalizationForm.FormC)));
        Assert.False(text.Truncated);
    }

    [Fact]
    public async Task Docx_with_page_breaks_is_split_into_numbered_pages()
    {
        var docx = Fixtures.Docx("#Trang một", "nội dung một", "\f", "nội dung hai", "\f", "nội dung ba");
        var text = await ExtractAsync(new WordprocessingTextExtractor(Options), docx, WordprocessingTextExtractor.MediaType);

        Assert.Equal(3, text.Pages.Count);
        Assert.All(text.Pages, p => Assert.Null(p.Label));
        Assert.Contains("nội dung hai", text.Pages[1].Text, StringComparison.Ordinal);
        Assert.Contains("nội dung ba", text.Pages[2].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docx_without_pages_or_headings_is_split_into_parts_of_the_configured_size()
    {
        var paragraphs = Enumerable.Range(1, 20).Select(i => $"Đoạn {i}: " + new string('a', 90)).ToArray();
        var text = await ExtractAsync(new WordprocessingTextExtractor(Options), Fixtures.Docx(paragraphs), WordprocessingTextExtractor.MediaType);

        Assert.True(text.Pages.Count >= 3);
        Assert.Equal(Enumerable.Range(1, text.Pages.Count).Select(i => $"Phần {i}"), text.Pages.Select(p => p.Label));
        Assert.All(text.Pages, p => Assert.InRange(p.Text.Length, 1, 500 + 110));
        Assert.Equal(paragraphs, string.Join('\n', text.Pages.Select(p => p.Text)).Split('\n'));
    }

    [Fact]
    public async Task Xlsx_gives_one_section_per_sheet_labelled_with_its_name()
    {
        var xlsx = Fixtures.Xlsx(
            ("Danh mục", [["Mã hồ sơ", "Tiêu đề"], ["01.VP", "Hồ sơ tuyển dụng công chức"]]),
            ("Kinh phí", [["Năm", "Số tiền"], ["2024", "1250000"]]));
        var text = await ExtractAsync(new SpreadsheetTextExtractor(Options), xlsx, SpreadsheetTextExtractor.MediaType);

        Assert.Equal(["Danh mục", "Kinh phí"], text.Pages.Select(p => p.Label));
        Assert.Equal("Mã hồ sơ\tTiêu đề\n01.VP\tHồ sơ tuyển dụng công chức", text.Pages[0].Text);
        Assert.Equal("Năm\tSố tiền\n2024\t1250000", text.Pages[1].Text);
    }

    [Fact]
    public async Task Xlsx_text_is_cut_at_the_budget_and_marked_truncated()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new[] { $"dòng thứ {i} của bảng kê" }).ToArray();
        var text = await ExtractAsync(new SpreadsheetTextExtractor(Options), Fixtures.Xlsx(("S", rows)), SpreadsheetTextExtractor.MediaType, max: 1000);

        Assert.True(text.Truncated);
        Assert.True(text.Pages.Sum(p => p.Text.Length) <= 1000);
    }

    [Fact]
    public async Task Odt_is_split_at_soft_page_breaks_and_ods_into_labelled_tables()
    {
        var odt = await ExtractAsync(new OpenDocumentTextExtractor(Options), Fixtures.Odt("#Biên bản", "Hôm nay, ngày 05", "\f", "Bên giao: Sở Nội vụ"), OpenDocumentTextExtractor.TextMediaType);
        Assert.Equal(2, odt.Pages.Count);
        Assert.Equal("Biên bản\nHôm nay, ngày 05", odt.Pages[0].Text);
        Assert.Equal("Bên giao: Sở Nội vụ", odt.Pages[1].Text);

        var headings = await ExtractAsync(new OpenDocumentTextExtractor(Options), Fixtures.Odt("Lời nói đầu", "#Chương I", "Quy định chung"), OpenDocumentTextExtractor.TextMediaType);
        Assert.Equal(["Mở đầu", "Chương I"], headings.Pages.Select(p => p.Label));

        // A million repeated blank cells per row stay one: memory and text do not follow the declared repetition.
        var ods = await ExtractAsync(new OpenDocumentTextExtractor(Options), Fixtures.Ods(("Trang tính 1", [["Tên", "Chức vụ"], ["Lê Thị Lan", "Văn thư"]])), OpenDocumentTextExtractor.SpreadsheetMediaType);
        Assert.Equal("Trang tính 1", Assert.Single(ods.Pages).Label);
        Assert.Equal("Tên\tChức vụ\nLê Thị Lan\tVăn thư", ods.Pages[0].Text);
    }

    [Fact]
    public async Task Plain_text_charset_is_the_bom_else_utf8_else_the_legacy_code_page()
    {
        var extractor = new PlainTextExtractor(Options);
        const string Vietnamese = "Quyết định về việc bổ nhiệm cán bộ";

        var utf8 = await ExtractAsync(extractor, Encoding.UTF8.GetBytes(Vietnamese), "text/plain");
        Assert.Equal(Vietnamese, Assert.Single(utf8.Pages).Text);

        var utf16 = await ExtractAsync(extractor, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Vietnamese)], "text/plain");
        Assert.Equal(Vietnamese, Assert.Single(utf16.Pages).Text);

        // windows-1258 writes tones as combining marks; the text is composed to NFC.
        var cp1258 = CodePagesEncodingProvider.Instance.GetEncoding(1258)!;
        var legacy = await ExtractAsync(extractor, cp1258.GetBytes(Windows1258Form(Vietnamese)), "text/plain");
        Assert.Equal(Vietnamese, Assert.Single(legacy.Pages).Text);

        var western = await ExtractAsync(new PlainTextExtractor(new OfficeTextExtractionOptions { LegacyCodePage = 1252 }), [0x63, 0x61, 0x66, 0xE9], "text/plain");
        Assert.Equal("café", Assert.Single(western.Pages).Text);

        var paged = await ExtractAsync(extractor, Encoding.UTF8.GetBytes("trang một\r\ndòng hai\ftrang hai"), "text/plain");
        Assert.Equal(["trang một\ndòng hai", "trang hai"], paged.Pages.Select(p => p.Text));
        Assert.All(paged.Pages, p => Assert.Null(p.Label));
    }

    [Fact]
    public async Task Html_text_leaves_out_scripts_and_styles_and_labels_sections_with_headings()
    {
        const string Html = """
            <!DOCTYPE html><html><head><meta charset="windows-1258"><title>Thông báo</title><style>p{color:red}</style></head>
            <body><p>Kính gửi các phòng</p><h2>Nội dung</h2><p>Họp giao ban <b>thứ hai</b></p><script>alert('x')</script></body></html>
            """;
        var bytes = CodePagesEncodingProvider.Instance.GetEncoding(1258)!.GetBytes(Windows1258Form(Html));
        var text = await ExtractAsync(new HtmlTextExtractor(Options), bytes, "text/html");

        Assert.Equal(["Mở đầu", "Nội dung"], text.Pages.Select(p => p.Label));
        Assert.Equal("Thông báo\nKính gửi các phòng", text.Pages[0].Text);
        Assert.Equal("Nội dung\nHọp giao ban thứ hai", text.Pages[1].Text);
        Assert.DoesNotContain(text.Pages, p => p.Text.Contains("alert", StringComparison.Ordinal) || p.Text.Contains("color", StringComparison.Ordinal));
    }

    /// <summary>Vietnamese as windows-1258 writes it: â ê ô ă ơ ư precomposed, the five tone marks combining.</summary>
    internal static string Windows1258Form(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormC))
        {
            var d = c.ToString().Normalize(NormalizationForm.FormD);
            var tones = d.Where(m => m is '\u0300' or '\u0301' or '\u0303' or '\u0309' or '\u0323').ToArray();
            sb.Append(new string([.. d.Where(m => !tones.Contains(m))]).Normalize(NormalizationForm.FormC)).Append(tones);
        }

        return sb.ToString();
    }

    [Fact]
    public async Task Deeply_nested_html_does_not_exhaust_the_stack()
    {
        var html = string.Concat(Enumerable.Repeat("<span>", 200_000)) + "sâu" + string.Concat(Enumerable.Repeat("</span>", 200_000));
        var text = await ExtractAsync(new HtmlTextExtractor(Options), Encoding.UTF8.GetBytes(html), "text/html");
        Assert.Contains("sâu", string.Concat(text.Pages.Select(p => p.Text)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_bomb_is_refused_before_it_is_expanded()
    {
        // 64 MiB of spaces compress about 1000:1.
        var bomb = Fixtures.DocxWithDocumentPart(Encoding.ASCII.GetBytes(new string(' ', 64 << 20)));
        Assert.True(bomb.Length < 1 << 20);
        var e = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new WordprocessingTextExtractor(Options), bomb, WordprocessingTextExtractor.MediaType));
        Assert.Equal(ZipGuard.BombReason, e.Message);

        var many = Fixtures.Zip([.. Enumerable.Range(0, 11).Select(i => ($"f{i}.xml", new byte[] { 1 }, CompressionLevel.Optimal))]);
        e = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new OpenDocumentTextExtractor(new OfficeTextExtractionOptions { MaxZipEntries = 10 }), many, OpenDocumentTextExtractor.TextMediaType));
        Assert.Equal(ZipGuard.BombReason, e.Message);

        var big = Fixtures.Odt(new string('x', 3 << 20));
        e = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new OpenDocumentTextExtractor(new OfficeTextExtractionOptions { MaxUncompressedBytes = 1 << 20 }), big, OpenDocumentTextExtractor.TextMediaType));
        Assert.Equal(ZipGuard.BombReason, e.Message);
    }

    [Fact]
    public async Task A_dtd_is_refused_and_no_external_entity_is_resolved()
    {
        var secret = Path.Combine(Path.GetTempPath(), "archive-xxe-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(secret, "BÍ MẬT", Ct);
        try
        {
            var prolog = $"<!DOCTYPE office:document-content [<!ENTITY x SYSTEM \"file://{secret}\">]>";
            var odt = Fixtures.Odf(OpenDocumentTextExtractor.TextMediaType, "<office:body><office:text><text:p>&x;</text:p></office:text></office:body>", prolog);
            var e = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new OpenDocumentTextExtractor(Options), odt, OpenDocumentTextExtractor.TextMediaType));
            Assert.Equal(ZipGuard.DtdReason, e.Message);

            var docx = Fixtures.DocxWithDocumentPart(Encoding.UTF8.GetBytes(
                $"<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY x SYSTEM \"file://{secret}\">]><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"));
            var d = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new WordprocessingTextExtractor(Options), docx, WordprocessingTextExtractor.MediaType));
            Assert.Equal(ZipGuard.DtdReason, d.Message);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public async Task A_damaged_file_fails_with_a_reason()
    {
        var docx = Fixtures.Docx("nội dung");
        var cut = docx[..(docx.Length / 2)];
        var e = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new WordprocessingTextExtractor(Options), cut, WordprocessingTextExtractor.MediaType));
        Assert.Contains("DOCX", e.Message, StringComparison.Ordinal);

        var notXlsx = Fixtures.Zip(("a.txt", [1, 2, 3], CompressionLevel.Optimal));
        e = await Assert.ThrowsAsync<ContentTextException>(() => ExtractAsync(new SpreadsheetTextExtractor(Options), notXlsx, SpreadsheetTextExtractor.MediaType));
        Assert.Contains("XLSX", e.Message, StringComparison.Ordinal);
    }
}
