using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Archive.Records;
using Archive.TextExtraction.Office;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Bench;

/// <summary>Text extraction per format: the engine's extractors on generated files of the same text.</summary>
internal sealed class ExtractCommand : IBenchCommand
{
    public string Name => "extract";

    public string Description => "text extraction at ingest per format (PDF, DOCX, XLSX, ODT, ODS, HTML, TXT): files/s, MB/s, allocation per file";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                extract [--kb 100] [--count 50]

                Generates one file per format holding about --kb KB of the same Vietnamese administrative text
                (PDF with PdfPig, DOCX and XLSX with the Open XML SDK, ODT and ODS as ZIPs, HTML and TXT as UTF-8),
                then runs the extractor the engine uses for it (PdfTextExtractor; Archive.TextExtraction.Office)
                --count times from memory on one thread, after one warm-up run. Reports the file size, the pages or
                sections found, files/s, MB/s of file bytes, characters/s, and the bytes allocated per file (the
                thread's allocations: what the extraction costs the GC, not resident memory).
                """);
            return 0;
        }

        var kb = args.Int("kb", 100);
        var count = args.Int("count", 50);
        var rng = new Random(42);
        var paragraphs = new List<string>();
        var total = 0;
        while (total < kb * 1000 / 2)
        {
            var p = BenchText.Paragraphs(rng, 400);
            paragraphs.Add(p);
            total += p.Length;
        }

        var options = new OfficeTextExtractionOptions();
        var formats = new (string Name, string MediaType, IContentTextExtractor Extractor, byte[] Bytes)[]
        {
            ("PDF (PdfPig)", PdfTextExtractor.PdfMediaType, new PdfTextExtractor(), BenchPdf.Create(new Random(42), kb * 1000)),
            ("DOCX", WordprocessingTextExtractor.MediaType, new WordprocessingTextExtractor(options), Docx(paragraphs)),
            ("XLSX", SpreadsheetTextExtractor.MediaType, new SpreadsheetTextExtractor(options), Xlsx(paragraphs)),
            ("ODT", OpenDocumentTextExtractor.TextMediaType, new OpenDocumentTextExtractor(options), Odf("application/vnd.oasis.opendocument.text", "<office:text>" + string.Concat(paragraphs.Select(p => $"<text:p>{Esc(p)}</text:p>")) + "</office:text>")),
            ("ODS", OpenDocumentTextExtractor.SpreadsheetMediaType, new OpenDocumentTextExtractor(options), Odf("application/vnd.oasis.opendocument.spreadsheet", "<office:spreadsheet><table:table table:name=\"Sheet1\">" + string.Concat(paragraphs.Select((p, i) => $"<table:table-row><table:table-cell><text:p>{i}</text:p></table:table-cell><table:table-cell><text:p>{Esc(p)}</text:p></table:table-cell></table:table-row>")) + "</table:table></office:spreadsheet>")),
            ("HTML (AngleSharp)", "text/html", new HtmlTextExtractor(options), Encoding.UTF8.GetBytes("<!DOCTYPE html><html><head><title>Báo cáo</title></head><body>" + string.Concat(paragraphs.Select((p, i) => (i % 10 == 0 ? $"<h2>Mục {i / 10 + 1}</h2>" : "") + $"<p>{Esc(p)}</p>")) + "</body></html>")),
            ("TXT", "text/plain", new PlainTextExtractor(options), Encoding.UTF8.GetBytes(string.Join("\n\n", paragraphs))),
        };

        var table = new Table("format", "file KB", "pages/sections", "files", "s", "files/s", "MB/s", "M chars/s", "KB allocated/file");
        foreach (var (name, mediaType, extractor, bytes) in formats)
        {
            var request = new TextExtractionRequest { MediaType = mediaType };
            ExtractedText text;
            using (var warm = new MemoryStream(bytes, writable: false))
            {
                text = await extractor.ExtractAsync(warm, request);
            }

            var chars = text.Pages.Sum(p => (long)p.Text.Length);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                using var ms = new MemoryStream(bytes, writable: false);
                _ = await extractor.ExtractAsync(ms, request).ConfigureAwait(true);
            }

            var seconds = sw.Elapsed.TotalSeconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            table.Add(name, BenchEngine.F1(bytes.Length / 1024.0), text.Pages.Count, count, seconds, BenchEngine.F1(count / seconds), BenchEngine.F1(BenchEngine.MBps((long)bytes.Length * count, seconds)), BenchEngine.F1(chars * count / seconds / 1e6), BenchEngine.F1(allocated / 1024.0 / count));
        }

        BenchEngine.PrintHeading("extract", $"about {kb} KB of text per file, {count} runs per format, 1 thread");
        Console.WriteLine(table);
        return 0;
    }

    private static byte[] Docx(List<string> paragraphs)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            main.Document = new W.Document(new W.Body(paragraphs.Select(p => new W.Paragraph(new W.Run(new W.Text(p))))));
        }

        return ms.ToArray();
    }

    private static byte[] Xlsx(List<string> paragraphs)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            var sst = wb.AddNewPart<SharedStringTablePart>();
            sst.SharedStringTable = new S.SharedStringTable(paragraphs.Select(p => new S.SharedStringItem(new S.Text(p))));
            var ws = wb.AddNewPart<WorksheetPart>();
            ws.Worksheet = new S.Worksheet(new S.SheetData(paragraphs.Select((_, i) => new S.Row(
                new S.Cell { CellValue = new S.CellValue(i), DataType = S.CellValues.Number },
                new S.Cell { CellValue = new S.CellValue(i), DataType = S.CellValues.SharedString }))));
            wb.Workbook = new S.Workbook(new S.Sheets(new S.Sheet { Name = "Sheet1", SheetId = 1, Id = wb.GetIdOfPart(ws) }));
        }

        return ms.ToArray();
    }

    private static byte[] Odf(string mimeType, string body)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = zip.CreateEntry("mimetype", CompressionLevel.NoCompression).Open())
            {
                s.Write(Encoding.ASCII.GetBytes(mimeType));
            }

            using var c = zip.CreateEntry("content.xml", CompressionLevel.Optimal).Open();
            c.Write(Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"><office:body>{body}</office:body></office:document-content>"));
        }

        return ms.ToArray();
    }

    private static string Esc(string s) => System.Security.SecurityElement.Escape(s);
}
