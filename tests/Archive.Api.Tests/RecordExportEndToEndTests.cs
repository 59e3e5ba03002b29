using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Testing.Support;
using UglyToad.PdfPig;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// A whole record file exported as one PDF plus XML in chronological order (issue #18 item 4), driven through the client
/// NSwag generates from the served OpenAPI document against a real <c>Archive.Server</c> process, then offline with the
/// server's own <c>record export</c> verb on the same data folder: the PDF and XML through REST, a Secret file answering
/// 404 exactly as a missing one, and the CLI writing both with their .sha256 sidecars — and nothing at all once a stored
/// content was damaged.
/// </summary>
public sealed class RecordExportEndToEndTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-export-" + Guid.NewGuid().ToString("N")[..8]);
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
    public async Task Rest_exports_pdf_and_xml_in_chronological_order_hides_secret_files_and_the_cli_writes_both_with_sidecars()
    {
        var agency = "000.00.81.H26";
        var data = Path.Combine(_root, "data");
        var adminKey = await ServerProcess.CreateApiKeyAsync(data, "quan-tri", "administrator", null, secret: true, Ct);
        var clerkKey = await ServerProcess.CreateApiKeyAsync(data, "luu-tru-vien", "archivist", agency, secret: false, Ct);
        _server = await ServerProcess.StartAsync(data, new Dictionary<string, string>(), Ct);
        var admin = _server.Client(adminKey);
        var clerk = _server.Client(clerkKey);

        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = agency, Name = "Ủy ban nhân dân xã Yên Thế" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = "P-YENTHE", Name = "Phông UBND xã Yên Thế", AgencyId = agency, Language = "vi" }, Ct);
        var title = "Hồ sơ xây dựng trường mầm non xã Yên Thế";
        var code = await FileAsync(clerk, "05.XD", title, Generated.AccessLevel.Public);
        var secret = await FileAsync(admin, "06.MAT", "Hồ sơ bảo vệ bí mật nhà nước", Generated.AccessLevel.Secret);

        // Filed out of date order: the decision (June, a PDF of two pages), the minutes (January, text), a table (March, CSV).
        var decision = TestPdf.Create("QUYET DINH PHE DUYET trang mot", "QUYET DINH PHE DUYET trang hai");
        await DocumentAsync(clerk, code, 1, "Quyết định", "Quyết định phê duyệt dự án", new DateOnly(2015, 6, 1), "quyet-dinh.pdf", "application/pdf", decision);
        await DocumentAsync(clerk, code, 2, "Biên bản", "Biên bản khảo sát địa điểm", new DateOnly(2015, 1, 20), "bien-ban.txt", "text/plain",
            Encoding.UTF8.GetBytes("Biên bản khảo sát địa điểm xây dựng trường mầm non"));
        await DocumentAsync(clerk, code, 3, "Bảng kê", "Bảng kê kinh phí", new DateOnly(2015, 3, 5), "kinh-phi.csv", "text/csv",
            Encoding.UTF8.GetBytes("hạng mục,số tiền\nmóng,100\n"));

        // The PDF: cover, the list, the minutes (page 3), the CSV's placeholder (4), the decision (5-6).
        byte[] pdf;
        using (var response = await clerk.ExportRecordFileAsync(code, null, Ct))
        {
            Assert.Equal("6", response.Headers["Archive-Export-Pages"].Single());
            Assert.Equal("3", response.Headers["Archive-Export-Documents"].Single());
            pdf = await BytesAsync(response);
        }

        using (var document = PdfDocument.Open(pdf))
        {
            Assert.Equal(6, document.NumberOfPages);
            Assert.Contains(title, document.GetPage(1).Text, StringComparison.Ordinal);
            Assert.Contains("MỤC LỤC VĂN BẢN", document.GetPage(2).Text, StringComparison.Ordinal);
            Assert.Contains("Biên bản khảo sát địa điểm xây dựng", document.GetPage(3).Text, StringComparison.Ordinal);
            Assert.Contains("kinh-phi.csv", document.GetPage(4).Text, StringComparison.Ordinal);
            Assert.Contains("QUYET DINH PHE DUYET trang mot", document.GetPage(5).Text, StringComparison.Ordinal);
            Assert.Contains("QUYET DINH PHE DUYET trang hai", document.GetPage(6).Text, StringComparison.Ordinal);
        }

        XNamespace ns = "urn:archive:record-file-export:1";
        using (var response = await clerk.ExportRecordFileAsync(code, "xml", Ct))
        {
            var xml = XDocument.Parse(Encoding.UTF8.GetString(await BytesAsync(response)));
            var documents = xml.Root!.Element(ns + "Documents")!.Elements(ns + "Document").ToList();
            Assert.Equal(["2", "3", "1"], documents.Select(d => d.Element(ns + "DocOrdinal")!.Value).ToArray());
            Assert.Equal(["3", "4", "5"], documents.Select(d => d.Attribute("pdfFirstPage")!.Value).ToArray());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(decision)), documents[2].Descendants(ns + "Sha256").Single().Value);
        }

        // A Secret file is not found for the uncleared archivist, exactly as a code that does not exist; the cleared administrator exports it.
        var hidden = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.ExportRecordFileAsync(secret, null, Ct));
        var missing = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.ExportRecordFileAsync(agency + ".2015.99.KHONG", null, Ct));
        Assert.Equal(404, hidden.StatusCode);
        Assert.Equal(missing.StatusCode, hidden.StatusCode);
        Assert.Equal(missing.Result.Title, hidden.Result.Title);
        using (var response = await admin.ExportRecordFileAsync(secret, null, Ct))
        {
            Assert.Equal("2", response.Headers["Archive-Export-Pages"].Single());
        }

        var badFormat = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.ExportRecordFileAsync(code, "docx", Ct));
        Assert.Equal(400, badFormat.StatusCode);
        Assert.Contains(badFormat.Result.Errors, e => e is { Field: "format", Rule: "export.format" });

        // Offline, on the same data folder once the server stopped: both files and their .sha256 sidecars.
        await _server.DisposeAsync();
        _server = null;
        var outDir = Path.Combine(_root, "out");
        var (exit, output, errors) = await ServerProcess.RunCliAsync(data, ["record", "export", "--file", code, "--out", outDir], Ct);
        Assert.True(exit == 0, output + errors);
        var pdfPath = Path.Combine(outDir, "ho-so-" + code + ".pdf");
        var xmlPath = Path.Combine(outDir, "ho-so-" + code + ".xml");
        foreach (var path in new[] { pdfPath, xmlPath })
        {
            var sidecar = await File.ReadAllTextAsync(path + ".sha256", Ct);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, Ct))) + "  " + Path.GetFileName(path) + "\n", sidecar);
        }

        using (var document = PdfDocument.Open(pdfPath))
        {
            Assert.Equal(6, document.NumberOfPages);
        }

        Assert.Equal(4, Directory.GetFiles(outDir).Length);

        // A damaged content: the verb fails naming the damage, and its folder gets nothing.
        foreach (var stored in Directory.EnumerateFiles(Path.Combine(data, "store"), "bien-ban.txt", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(stored, Ct);
            bytes[3] ^= 0x01;
            await File.WriteAllBytesAsync(stored, bytes, Ct);
        }

        var damagedOut = Path.Combine(_root, "out-damaged");
        var (failed, failedOutput, failedErrors) = await ServerProcess.RunCliAsync(data, ["record", "export", "--file", code, "--out", damagedOut], Ct);
        var message = failedOutput + failedErrors;
        Assert.Equal(4, failed);
        Assert.Contains("bien-ban.txt", message, StringComparison.Ordinal);
        Assert.Contains("damaged", message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(damagedOut));
    }

    private static async Task<string> FileAsync(ArchiveClient client, string notation, string title, Generated.AccessLevel rights)
    {
        var file = await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = "P-YENTHE",
            FileCatalog = 2015,
            FileNotation = notation,
            Title = title,
            Maintenance = "permanent",
            Rights = rights,
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = RecordFileStatus.Finished,
            Keywords = [],
        }, Ct);
        return file.FileCode;
    }

    private static async Task DocumentAsync(ArchiveClient client, string code, int ordinal, string type, string subject, DateOnly date, string name, string mediaType, byte[] content)
    {
        await client.AddDocumentAsync(code, null, null, null, new DocumentRequest { TypeName = type, CodeNumber = ordinal.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), CodeNotation = "UBND", IssuedDate = date, OrganName = "UBND xã Yên Thế", Subject = subject, Language = "vi", PageAmount = 1 }, Ct);
        await client.UploadContentAsync(code, ordinal, name, Convert.ToHexStringLower(SHA256.HashData(content)), null, null, null, new FileParameter(new MemoryStream(content), name, mediaType), Ct);
    }

    private static async Task<byte[]> BytesAsync(FileResponse response)
    {
        using var buffer = new MemoryStream();
        await response.Stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }
}
