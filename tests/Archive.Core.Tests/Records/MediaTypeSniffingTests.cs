using System.IO.Compression;
using System.Text;
using Archive.Records;
using Archive.Testing.Support;
using Xunit;

namespace Archive.Core.Tests.Records;

/// <summary>Item 7 of #22: the media type is taken from the content, not trusted from the client.</summary>
public sealed class MediaTypeSniffingTests
{
    private const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string Odt = "application/vnd.oasis.opendocument.text";

    public static byte[] ZipOf(params string[] names)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var n in names)
            {
                var level = n == "mimetype" ? CompressionLevel.NoCompression : CompressionLevel.Optimal;
                using var s = zip.CreateEntry(n, level).Open();
                s.Write(n == "mimetype" ? Encoding.ASCII.GetBytes(Odt) : "<x/>"u8);
            }
        }

        return ms.ToArray();
    }

    public static TheoryData<string, byte[], string?> Samples() => new()
    {
        { "pdf", "%PDF-1.7\n..."u8.ToArray(), "application/pdf" },
        { "pdf after junk", [.. new byte[300].Select(_ => (byte)' '), .. "%PDF-1.4"u8.ToArray()], "application/pdf" },
        { "png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], "image/png" },
        { "jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "image/jpeg" },
        { "tiff le", [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0], "image/tiff" },
        { "tiff be", [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8], "image/tiff" },
        { "gif", "GIF89a\x01\x00"u8.ToArray(), "image/gif" },
        { "docx", ZipOf("[Content_Types].xml", "_rels/.rels", "word/document.xml"), Docx },
        { "xlsx", ZipOf("[Content_Types].xml", "xl/workbook.xml"), Xlsx },
        { "pptx", ZipOf("[Content_Types].xml", "ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
        { "odt", ZipOf("mimetype", "content.xml"), Odt },
        { "odt, mimetype not first", ZipOf("content.xml", "mimetype"), Odt },
        { "plain zip", ZipOf("a.txt"), "application/zip" },
        { "zip with word/ but no content types", ZipOf("word/document.xml"), "application/zip" },
        { "ole (doc, xls)", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0], "application/x-ole-storage" },
        { "rtf", @"{\rtf1\ansi hello}"u8.ToArray(), "application/rtf" },
        { "html doctype", "<!DOCTYPE html><html><body>x</body></html>"u8.ToArray(), "text/html" },
        { "html, bom, spaces, upper case", [0xEF, 0xBB, 0xBF, .. "\r\n  <HTML lang=\"vi\">"u8.ToArray()], "text/html" },
        { "html fragment", "<p>Kính gửi</p>"u8.ToArray(), "text/html" },
        { "xml", "<?xml version=\"1.0\"?><a/>"u8.ToArray(), "application/xml" },
        { "utf-8 text", "Quyết định số 05"u8.ToArray(), "text/plain" },
        { "windows-1258 text", [0x51, 0x75, 0x79, 0xEA, 0xEC, 0x74], "text/plain" },
        { "utf-16 text", [0xFF, 0xFE, 0x51, 0, 0x75, 0], "text/plain" },
        { "binary", [0x00, 0x01, 0x02, 0x03, 0xFF], null },
        { "damaged zip", "PK\x03\x04 cut short"u8.ToArray(), "application/zip" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task The_type_is_sniffed_from_the_content(string what, byte[] bytes, string? expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
            var sniffed = await MediaTypes.SniffAsync(path, TestContext.Current.CancellationToken);
            Assert.True(expected == sniffed.MediaType, $"{what}: expected {expected}, sniffed {sniffed.MediaType}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string, string, string?, string, bool> Declarations() => new()
    {
        // sample, name, declared, stored, accepted
        { "html", "x.pdf", "application/pdf", "application/pdf", false },
        { "html", "x.pdf", null, "text/html", true },
        { "html", "x.html", "application/octet-stream", "text/html", true },
        { "html", "x.html", "text/html", "text/html", true },
        { "html", "x.txt", "text/plain", "text/plain", false },
        { "pdf", "x.pdf", "application/pdf", "application/pdf", true },
        { "pdf", "x.pdf", "application/x-pdf", "application/x-pdf", true },
        { "pdf", "x.docx", Docx, Docx, false },
        { "docx", "x.docx", Docx, Docx, true },
        { "docx", "x.docx", Xlsx, Xlsx, false },
        { "docx", "x.docx", "application/zip", Docx, true },
        { "docx", "x.docx", "application/msword", Docx, true }, // legacy label of the same family: the content's type is stored
        { "docx", "x.docx", "application/vnd.ms-excel", "application/vnd.ms-excel", false },
        { "docx", "x.bin", null, Docx, true },
        { "zip", "x.epub", "application/epub+zip", "application/epub+zip", true },
        { "zip", "x.zip", Docx, Docx, false },
        { "text", "x.csv", null, "text/csv", true },
        { "text", "x.json", "application/json", "application/json", true },
        { "text", "x.txt", "application/pdf", "application/pdf", false },
        { "text", "x.txt", "image/png", "image/png", false },
        { "binary", "x.mp3", null, "audio/mpeg", true },
        { "binary", "x.mp3", "audio/mpeg", "audio/mpeg", true },
        { "binary", "x.pdf", null, "application/octet-stream", true },
        { "binary", "x.txt", "text/plain", "text/plain", false },
        { "binary", "x.doc", "application/msword", "application/msword", false },
        { "ole", "x.doc", "application/msword", "application/msword", true },
        { "ole", "x.xls", "application/vnd.ms-excel", "application/vnd.ms-excel", true },
        { "ole", "x.doc", "application/pdf", "application/pdf", false },
        { "damaged zip", "x.docx", Docx, Docx, true },
        { "damaged zip", "x.docx", null, Docx, true },
        { "damaged zip", "x.bin", null, "application/zip", true },
        { "damaged zip", "x.pdf", "application/pdf", "application/pdf", false },
        { "png", "x.png", "image/jpeg", "image/jpeg", false },
        { "jpeg", "x.jpg", "image/jpg", "image/jpg", true },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void A_declared_type_is_kept_only_when_the_content_agrees(string sample, string name, string? declared, string stored, bool accepted)
    {
        var sniffed = sample switch
        {
            "html" => new MediaTypes.Sniffed(MediaTypes.Kind.Html, "text/html"),
            "pdf" => new MediaTypes.Sniffed(MediaTypes.Kind.Signature, "application/pdf"),
            "docx" => new MediaTypes.Sniffed(MediaTypes.Kind.Signature, Docx),
            "zip" => new MediaTypes.Sniffed(MediaTypes.Kind.Signature, "application/zip"),
            "ole" => new MediaTypes.Sniffed(MediaTypes.Kind.Signature, "application/x-ole-storage"),
            "png" => new MediaTypes.Sniffed(MediaTypes.Kind.Signature, "image/png"),
            "jpeg" => new MediaTypes.Sniffed(MediaTypes.Kind.Signature, "image/jpeg"),
            "text" => new MediaTypes.Sniffed(MediaTypes.Kind.Text, "text/plain"),
            "damaged zip" => new MediaTypes.Sniffed(MediaTypes.Kind.Archive, "application/zip"),
            _ => new MediaTypes.Sniffed(MediaTypes.Kind.Unknown, null),
        };
        var r = MediaTypes.Resolve(sniffed, name, declared);
        Assert.Equal(stored, r.MediaType);
        Assert.Equal(accepted, r.Mismatch is null);
    }

    [Fact]
    public async Task Html_declared_as_pdf_is_refused_naming_mediaType_and_nothing_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var before = (await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct)).Stored.Version;
        var html = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"u8.ToArray();

        var e = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "quyet-dinh.pdf", MediaType = "application/pdf", Content = new MemoryStream(html) }, null, ArchiveHarness.User, ct));
        var error = Assert.Single(e.Errors);
        Assert.Equal(("mediaType", MediaTypes.MismatchRule), (error.Field, error.Rule));
        Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await h.Files.GetAsync(code, ct))!.Version);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataPath, "tmp")));
        Assert.Empty(h.StagedContentFiles());

        // Without a declaration (or application/octet-stream) the content's own type is stored, whatever the name says.
        var stored = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "quyet-dinh.pdf", MediaType = "application/octet-stream", Content = new MemoryStream(html) }, null, ArchiveHarness.User, ct);
        Assert.Equal("text/html", Assert.Single(stored.Stored.Value.Documents[0].Contents).MediaType);
    }

    [Fact]
    public async Task An_import_names_the_content_whose_declared_type_is_contradicted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var import = new RecordFileImport
        {
            File = ArchiveHarness.FileInput(),
            Documents =
            [
                new DocumentImport
                {
                    Document = ArchiveHarness.DocInput(),
                    Contents =
                    [
                        new ContentUpload { FileName = "a.txt", MediaType = "text/plain", Content = new MemoryStream("ghi chú"u8.ToArray()) },
                        new ContentUpload { FileName = "b.pdf", MediaType = "application/pdf", Content = new MemoryStream("<html><body>x</body></html>"u8.ToArray()) },
                    ],
                },
            ],
        };
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.ImportAsync(import, ArchiveHarness.User, ct));
        Assert.Contains(e.Errors, x => x.Field == "documents[0].contents[1].mediaType" && x.Rule == MediaTypes.MismatchRule);
        Assert.DoesNotContain(e.Errors, x => x.Field == "documents[0].contents[0].mediaType");
    }
}
