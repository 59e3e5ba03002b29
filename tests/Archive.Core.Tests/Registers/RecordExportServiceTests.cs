using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Archive.Core.Tests.Records;
using Archive.Packages;
using Archive.Records;
using Archive.Registers;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Core.Tests.Registers;

/// <summary>A whole record file exported as one PDF plus XML in chronological order (issue #18, domain reference §7).</summary>
public sealed class RecordExportServiceTests
{
    private const string Title = "Hồ sơ về việc hợp nhất Sở Kế hoạch và Đầu tư với Sở Tài chính";

    [Fact]
    public async Task Pdf_has_cover_list_and_every_content_in_chronological_order_and_the_xml_says_where()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        var code = await SeedAsync(h);
        var service = h.Services.GetRequiredService<RecordExportService>();

        using var pdf = new MemoryStream();
        using var xml = new MemoryStream();
        var result = await service.WriteAsync(code, caller: null, pdf, xml, ct);

        // Cover + one list page + txt (1) + png (1) + docx placeholder (1) + the 2-page PDF.
        Assert.Equal(7, result.Pages);
        Assert.Equal(4, result.Documents);
        Assert.Equal(4, result.Contents);
        Assert.Equal(1, result.Placeholders);
        var stored = (await h.Files.GetAsync(code, ct))!.Value;
        pdf.Position = 0;
        using (var document = PdfDocument.Open(pdf))
        {
            Assert.Equal(7, document.NumberOfPages);
            var cover = document.GetPage(1).Text;
            Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", cover, StringComparison.Ordinal);
            Assert.Contains("Độc lập - Tự do - Hạnh phúc", cover, StringComparison.Ordinal);
            Assert.Contains("Hồ sơ về việc hợp nhất Sở Kế hoạch và Đầu tư", cover, StringComparison.Ordinal);
            Assert.Contains("Thời hạn lưu trữ:", cover, StringComparison.Ordinal);
            Assert.Contains(code, cover, StringComparison.Ordinal);
            var list = document.GetPage(2).Text;
            Assert.Contains("MỤC LỤC VĂN BẢN", list, StringComparison.Ordinal);
            Assert.Contains("Tên loại và trích yếu nội dung", list, StringComparison.Ordinal);
            Assert.True(list.IndexOf("Biên bản họp liên sở", StringComparison.Ordinal) < list.IndexOf("Dự thảo đề án", StringComparison.Ordinal));

            // Added as documents 1..4 out of date order; exported by date: 2 (February), 3 (April), 1 (June), 4 (undated).
            Assert.Contains("Biên bản họp ngày 01/02/2015: thống nhất phương án", document.GetPage(3).Text, StringComparison.Ordinal);
            Assert.Single(document.GetPage(4).GetImages());
            Assert.Contains("so-do.png", document.GetPage(4).Text, StringComparison.Ordinal);
            var placeholder = document.GetPage(5).Text;
            Assert.Contains("TỆP NỘI DUNG KHÔNG THỂ HIỆN TRONG BẢN PDF", placeholder, StringComparison.Ordinal);
            Assert.Contains("du-thao.docx", placeholder, StringComparison.Ordinal);
            Assert.Contains("application/vnd.openxmlformats-officedocument.wordprocessingml.document", placeholder, StringComparison.Ordinal);
            Assert.Contains(stored.Documents.Single(d => d.DocOrdinal == 3).Contents[0].Sha256, placeholder, StringComparison.Ordinal);
            Assert.Contains("TO TRINH TRANG 1", document.GetPage(6).Text, StringComparison.Ordinal);
            Assert.Contains("TO TRINH TRANG 2", document.GetPage(7).Text, StringComparison.Ordinal);
        }

        xml.Position = 0;
        var root = XDocument.Load(xml).Root!;
        XNamespace ns = "urn:archive:record-file-export:1";
        Assert.Equal(code, root.Element(ns + "RecordFile")!.Element(ns + "FileCode")!.Value);
        Assert.Equal(Title, root.Element(ns + "RecordFile")!.Element(ns + "Title")!.Value);
        Assert.NotNull(root.Element(ns + "RecordFile")!.Element(XName.Get("dc", "http://www.openarchives.org/OAI/2.0/oai_dc/")));
        var documents = root.Element(ns + "Documents")!.Elements(ns + "Document").ToList();
        Assert.Equal(["2", "3", "1", "4"], documents.Select(d => d.Element(ns + "DocOrdinal")!.Value).ToArray());
        var contents = documents.SelectMany(d => d.Descendants(ns + "Content")).ToList();
        Assert.Equal(["ghi-chu.txt", "so-do.png", "du-thao.docx", "to-trinh.pdf"], contents.Select(c => c.Element(ns + "Name")!.Value).ToArray());
        Assert.Equal(["3-3 text", "4-4 image", "5-5 placeholder", "6-7 pdf"], contents.Select(c => c.Element(ns + "PdfPages")!).Select(p => $"{p.Attribute("first")!.Value}-{p.Attribute("last")!.Value} {p.Attribute("rendering")!.Value}").ToArray());
        var digests = stored.Documents.SelectMany(d => d.Contents).ToDictionary(c => c.Name, c => c.Sha256);
        Assert.All(contents, c => Assert.Equal(digests[c.Element(ns + "Name")!.Value], c.Element(ns + "Sha256")!.Value));
        Assert.Null(documents[3].Attribute("pdfFirstPage")); // a paper-only document has no pages
        Assert.Equal("6", documents[2].Attribute("pdfFirstPage")!.Value);
    }

    [Fact]
    public async Task A_tampered_content_fails_the_export_before_anything_is_written_and_leaves_no_temporary_files()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        var code = await SeedAsync(h);
        var service = h.Services.GetRequiredService<RecordExportService>();

        // Damage the stored PDF (same length, one byte changed) behind the engine's back, wherever the store keeps it.
        var copies = Directory.EnumerateFiles(h.DataPath, "to-trinh.pdf", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(copies);
        foreach (var stored in copies)
        {
            var bytes = await File.ReadAllBytesAsync(stored, ct);
            bytes[bytes.Length / 2] ^= 0x20;
            await File.WriteAllBytesAsync(stored, bytes, ct);
        }

        using var pdf = new MemoryStream();
        using var xml = new MemoryStream();
        var error = await Assert.ThrowsAsync<PackageCorruptException>(async () => await service.WriteAsync(code, null, pdf, xml, ct));
        Assert.Contains("to-trinh.pdf", error.Path, StringComparison.Ordinal);
        Assert.Equal(0, pdf.Length);
        Assert.Equal(0, xml.Length);
        var temp = Path.Combine(h.DataPath, "tmp");
        Assert.False(Directory.Exists(temp) && Directory.EnumerateFileSystemEntries(temp, "record-export-*").Any());
    }

    [Fact]
    public async Task A_secret_file_is_not_found_for_a_caller_without_clearance_and_is_exported_for_a_cleared_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var secret = (await h.Files.CreateAsync(ArchiveHarness.FileInput("9.MAT") with { Rights = AccessLevel.Secret }, ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var service = h.Services.GetRequiredService<RecordExportService>();
        using var pdf = new MemoryStream();

        var clerk = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
        var hidden = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await service.WriteAsync(secret, clerk, pdf, null, ct));
        var missing = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await service.WriteAsync("000.00.00.G09.2015.404", clerk, pdf, null, ct));
        Assert.Equal(missing.Entity, hidden.Entity);
        Assert.Equal(0, pdf.Length);

        var cleared = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);
        var result = await service.WriteAsync(secret, cleared, pdf, null, ct);
        Assert.Equal(2, result.Pages); // cover and an empty list
        Assert.True(pdf.Length > 0);

        var unfiltered = new RecordExportService(h.Files, h.Fonds, h.Agencies, h.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Archive.Hosting.ArchiveOptions>>());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await unfiltered.WriteAsync(secret, clerk, new MemoryStream(), null, ct));
    }

    /// <summary>A record file whose four documents were filed out of date order, with PDF, text, PNG and DOCX contents.</summary>
    private static async Task<string> SeedAsync(ArchiveHarness h)
    {
        var ct = TestContext.Current.CancellationToken;
        var u = ArchiveHarness.User;
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("12.KH") with { Title = Title }, u, ct)).Stored.Value.FileCode;
        async Task Doc(string number, string type, string subject, DateOnly? date, params (string Name, byte[] Bytes)[] contents)
        {
            var added = await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(number, "UBND", subject) with { TypeName = type, IssuedDate = date }, null, u, ct);
            var ordinal = added.Stored.Value.Documents.Max(d => d.DocOrdinal);
            foreach (var (name, bytes) in contents)
            {
                await h.Files.AddContentAsync(code, ordinal, new ContentUpload { FileName = name, Content = new MemoryStream(bytes) }, null, u, ct);
            }
        }

        await Doc("15", "Tờ trình", "Tờ trình đề nghị hợp nhất", new DateOnly(2015, 6, 10), ("to-trinh.pdf", TwoPagePdf()));
        await Doc("03", "Biên bản", "Biên bản họp liên sở", new DateOnly(2015, 2, 1),
            ("ghi-chu.txt", Encoding.UTF8.GetBytes("Biên bản họp ngày 01/02/2015: thống nhất phương án\nDòng thứ hai.")), ("so-do.png", Png(4, 3)));
        await Doc("07", "Đề án", "Dự thảo đề án hợp nhất", new DateOnly(2015, 4, 15), ("du-thao.docx", Docx("Dự thảo")));
        await Doc("20", "Công văn", "Công văn giấy, chưa số hóa", null);
        return code;
    }

    private static byte[] TwoPagePdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("TO TRINH TRANG 1", 12, new UglyToad.PdfPig.Core.PdfPoint(72, 720), font);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("TO TRINH TRANG 2", 12, new UglyToad.PdfPig.Core.PdfPoint(72, 720), font);
        return builder.Build();
    }

    private static byte[] Docx(string text)
    {
        using var ms = new MemoryStream();
        using (var word = WordprocessingDocument.Create(ms, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new W.Document(new W.Body(new W.Paragraph(new W.Run(new W.Text(text)))));
        }

        return ms.ToArray();
    }

    /// <summary>A small RGB PNG written by hand (signature, IHDR, one zlib IDAT, IEND).</summary>
    internal static byte[] Png(int width, int height)
    {
        static void Chunk(Stream s, string type, byte[] data)
        {
            var head = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
            s.Write(head);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            s.Write(typed);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head, Crc32(typed));
            s.Write(head);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        Chunk(png, "IHDR", ihdr);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                z.WriteByte(0);
                for (var x = 0; x < width; x++)
                {
                    z.Write([(byte)(x * 60), (byte)(y * 80), 200]);
                }
            }
        }

        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
