using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using Xunit;
using static Archive.Api.Tests.Support.Api;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Api.Tests;

/// <summary>
/// #22 item 10 through the REST facade of the standalone server: DOCX and XLSX uploads are searchable (embedded
/// defaults), hits point at the section or sheet, a damaged file is stored with the reason its text failed; item 7: a
/// declared type the content contradicts answers 422 naming mediaType.
/// </summary>
public sealed class OfficeTextSearchTests(Support.ApiFactory factory) : IClassFixture<Support.ApiFactory>
{
    private const string DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string P = Support.ApiFactory.Prefix;

    internal static byte[] Docx(params string[] paragraphs)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = new W.Styles(new W.Style(new W.StyleName { Val = "heading 1" }) { Type = W.StyleValues.Paragraph, StyleId = "Heading1" });
            main.Document = new W.Document(new W.Body(paragraphs.Select(p => p.StartsWith('#')
                ? new W.Paragraph(new W.ParagraphProperties(new W.ParagraphStyleId { Val = "Heading1" }), new W.Run(new W.Text(p[1..])))
                : new W.Paragraph(new W.Run(new W.Text(p))))));
        }

        return ms.ToArray();
    }

    internal static byte[] Xlsx(string sheet, params string[] cells)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            var ws = wb.AddNewPart<WorksheetPart>();
            ws.Worksheet = new S.Worksheet(new S.SheetData(cells.Select(c => new S.Row(new S.Cell { DataType = S.CellValues.InlineString, InlineString = new S.InlineString(new S.Text(c)) }))));
            var other = wb.AddNewPart<WorksheetPart>();
            other.Worksheet = new S.Worksheet(new S.SheetData(new S.Row(new S.Cell { DataType = S.CellValues.InlineString, InlineString = new S.InlineString(new S.Text("Ghi chú khác")) })));
            wb.Workbook = new S.Workbook(new S.Sheets(
                new S.Sheet { Name = "Tổng hợp", SheetId = 1, Id = wb.GetIdOfPart(other) },
                new S.Sheet { Name = sheet, SheetId = 2, Id = wb.GetIdOfPart(ws) }));
        }

        return ms.ToArray();
    }

    private async Task<(HttpClient Client, string FileCode)> FileWithDocumentsAsync(int documents)
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        for (var i = 0; i < documents; i++)
        {
            await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Văn bản" }), Ct).ExpectAsync(201);
        }

        return (client, fileCode);
    }

    [Fact]
    public async Task A_docx_is_found_by_a_word_without_diacritics_and_an_xlsx_hit_names_its_sheet()
    {
        var (client, fileCode) = await FileWithDocumentsAsync(2);
        var docx = Docx("Ủy ban nhân dân tỉnh", "#Điều 2. Tổ chức thực hiện", "Giao Chi cục Văn thư – Lưu trữ chỉnh lý khối tài liệu tồn đọng.");
        var uploaded = await client.PutAsync(ContentUrl(fileCode, 1, "Quyết định.docx"), Bytes(docx, DocxType), Ct).ExpectAsync(200);
        var content = uploaded["documents"]!.AsArray()[0]!["contents"]!.AsArray().Single()!;
        Assert.Equal((DocxType, "Extracted"), ((string?)content["mediaType"], (string?)content["textStatus"]));

        // Sent as application/octet-stream: the type is taken from the content.
        var xlsx = Xlsx("Danh mục hồ sơ", "Mã hồ sơ", "Biên bản bàn giao tài liệu lưu trữ năm 2024");
        var second = await client.PutAsync(ContentUrl(fileCode, 2, "Danh mục.xlsx"), Bytes(xlsx), Ct).ExpectAsync(200);
        Assert.Equal(XlsxType, (string?)second["documents"]!.AsArray()[1]!["contents"]!.AsArray().Single()!["mediaType"]);

        var hits = await client.GetAsync($"{P}/search?q={Uri.EscapeDataString("chinh ly tai lieu ton dong")}&consistent=true&highlight=true", Ct).ExpectAsync(200);
        var hit = hits["hits"]!.AsArray().Single(h => (string?)h!["id"] == fileCode + "/1")!;
        var snippet = hit["highlights"]!.AsArray().First(x => (string?)x!["field"] == "text")!;
        Assert.Contains("<em>", (string?)snippet["fragment"], StringComparison.Ordinal);
        Assert.Equal("Điều 2. Tổ chức thực hiện", (string?)snippet["label"]);
        Assert.Equal(2, (int?)snippet["page"]); // section 2 (the text before the first heading is section 1, "Mở đầu")

        var sheetHits = await client.GetAsync($"{P}/search?q={Uri.EscapeDataString("bien ban ban giao")}&consistent=true&highlight=true", Ct).ExpectAsync(200);
        var sheetHit = sheetHits["hits"]!.AsArray().Single(h => (string?)h!["id"] == fileCode + "/2")!;
        var sheetSnippet = sheetHit["highlights"]!.AsArray().First(x => (string?)x!["field"] == "text")!;
        Assert.Equal(("Danh mục hồ sơ", 2), ((string?)sheetSnippet["label"], (int?)sheetSnippet["page"]));
    }

    [Fact]
    public async Task A_damaged_docx_is_stored_with_a_failed_text_status_and_its_reason()
    {
        var (client, fileCode) = await FileWithDocumentsAsync(1);
        var docx = Docx("x");
        using (var ms = new MemoryStream())
        {
            ms.Write(docx);
            using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
            {
                zip.GetEntry("word/document.xml")!.Delete();
                using var s = zip.CreateEntry("word/document.xml").Open();
                s.Write("<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p>"u8);
            }

            docx = ms.ToArray();
        }

        var stored = await client.PutAsync(ContentUrl(fileCode, 1, "hỏng.docx"), Bytes(docx, DocxType), Ct).ExpectAsync(200);
        var content = stored["documents"]!.AsArray()[0]!["contents"]!.AsArray().Single()!;
        Assert.Equal("Failed", (string?)content["textStatus"]);
        Assert.Contains("DOCX", (string?)content["textFailureReason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_declared_as_pdf_answers_422_naming_mediaType()
    {
        var (client, fileCode) = await FileWithDocumentsAsync(1);
        var html = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");
        await client.PutAsync(ContentUrl(fileCode, 1, "quyet-dinh.pdf"), Bytes(html, "application/pdf"), Ct).ExpectProblemAsync(422, "mediaType", "content.media-type-mismatch");
        var file = await client.GetAsync(FileUrl(fileCode), Ct).ExpectAsync(200);
        Assert.Empty(file["documents"]!.AsArray()[0]!["contents"]!.AsArray());
    }
}
