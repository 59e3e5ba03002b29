using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// The lists beside the catalogue end to end (issue #18 item 4), <b>only through the client NSwag generates from the
/// served OpenAPI document</b> against a real <c>Archive.Server</c> process: the file list (danh mục hồ sơ) of a fonds
/// and of a selection, the document catalogue (mục lục văn bản) of a record file — valid Office files with the
/// Vietnamese headings — and, for a clerk without clearance, a Secret file never listed, never counted, and named in
/// a selection or asked for by code refused exactly like a code that does not exist.
/// </summary>
public sealed class CatalogueListsEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.81.H26";
    private const string Fonds = "P-TANPHONG";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-lists-" + Guid.NewGuid().ToString("N")[..8]);
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
    public async Task File_list_and_document_catalogue_through_the_generated_client_hide_the_secret_file_from_an_uncleared_clerk()
    {
        var adminKey = ApiKeyStore.NewKey();
        var clerkKey = ApiKeyStore.NewKey();
        _server = await ServerProcess.StartAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
        {
            ["Archive__Auth__ApiKeys__0__Name"] = "quan-tri",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(adminKey),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
            ["Archive__Auth__ApiKeys__0__Clearance"] = "secret",
            ["Archive__Auth__ApiKeys__1__Name"] = "van-thu",
            ["Archive__Auth__ApiKeys__1__KeyHash"] = ApiKeyStore.Hash(clerkKey),
            ["Archive__Auth__ApiKeys__1__Roles"] = ArchiveRoles.Archivist,
            ["Archive__Auth__ApiKeys__1__Agencies"] = Agency,
        }, Ct);
        var admin = _server!.Client(adminKey, TimeSpan.FromMinutes(2));
        var clerk = _server!.Client(clerkKey, TimeSpan.FromMinutes(2));

        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Agency, Name = "Ủy ban nhân dân xã Tân Phong" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = Fonds, Name = "Phông UBND xã Tân Phong", AgencyId = Agency, Language = "vi" }, Ct);
        var budget = await FileAsync(admin, "1.TC", "Hồ sơ dự toán ngân sách xã năm 2015", "10y", Generated.AccessLevel.Public);
        var plan = await FileAsync(admin, "2.VP", "Hồ sơ kế hoạch phát triển kinh tế - xã hội năm 2015", "permanent", Generated.AccessLevel.Public);
        var secret = await FileAsync(admin, "3.MAT", "Hồ sơ phương án phòng thủ dân sự", "permanent", Generated.AccessLevel.Secret);
        foreach (var (number, subject, pages) in new[] { ("12", "Phê duyệt dự toán ngân sách xã năm 2015", 3), ("20", "Điều chỉnh dự toán ngân sách xã năm 2015", 2) })
        {
            await admin.AddDocumentAsync(budget, null, null, null, new DocumentRequest
            {
                TypeName = "Quyết định", CodeNumber = number, CodeNotation = "QĐ-UBND", IssuedDate = new DateOnly(2015, 4, 2), OrganName = "UBND xã Tân Phong", Subject = subject, Language = "vi", PageAmount = pages,
            }, Ct);
        }

        // The file list of the fonds for the clerk: the two Public files, not the Secret one (not even counted).
        using (var list = await clerk.GetFondsCatalogueAsync(Fonds, null, null, "xlsx", "list", null, Ct))
        {
            Assert.Equal("2", list.Headers["Archive-Catalogue-Files"].Single());
            Assert.Equal("1", list.Headers["Archive-Catalogue-Permanent"].Single());
            using var book = SpreadsheetDocument.Open(new MemoryStream(await BytesAsync(list)), false);
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
            var texts = book.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.InlineString>().Select(s => s.InnerText).ToList();
            Assert.Contains("DANH MỤC HỒ SƠ", texts);
            Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", texts);
            Assert.Contains("Độc lập - Tự do - Hạnh phúc", texts);
            Assert.Contains("1.TC", texts);
            Assert.DoesNotContain("3.MAT", texts);
        }

        // A selection: only the files named; the Secret one named by the clerk is refused like a code that is nowhere.
        using (var chosen = await clerk.GetFondsCatalogueAsync(Fonds, null, null, "csv", "list", [plan], Ct))
        {
            var text = System.Text.Encoding.UTF8.GetString(await BytesAsync(chosen));
            Assert.Contains("2.VP", text, StringComparison.Ordinal);
            Assert.DoesNotContain("1.TC", text, StringComparison.Ordinal);
        }

        var hidden = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.GetFondsCatalogueAsync(Fonds, null, null, "csv", "list", [plan, secret], Ct));
        var missing = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.GetFondsCatalogueAsync(Fonds, null, null, "csv", "list", [plan, secret + "X"], Ct));
        Assert.Equal(422, hidden.StatusCode);
        Assert.Equal(hidden.StatusCode, missing.StatusCode);
        var h = Assert.Single(hidden.Result.Errors);
        var m = Assert.Single(missing.Result.Errors);
        Assert.Equal(("fileCode[1]", "catalogue.selection-unknown"), (h.Field, h.Rule));
        Assert.Equal((h.Field, h.Rule, h.Message), (m.Field, m.Rule, m.Message));
        using (var cleared = await admin.GetFondsCatalogueAsync(Fonds, null, null, "csv", "list", [secret], Ct))
        {
            Assert.Equal("1", cleared.Headers["Archive-Catalogue-Files"].Single());
        }

        // The documents of a record file, in order, with the sheet each starts on; a Secret file answers 404 like a missing one.
        using (var documents = await clerk.GetDocumentCatalogueAsync(budget, "docx", Ct))
        {
            Assert.Equal("2", documents.Headers["Archive-Catalogue-Documents"].Single());
            using var word = WordprocessingDocument.Open(new MemoryStream(await BytesAsync(documents)), false);
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            var text = word.MainDocumentPart!.Document!.InnerText;
            Assert.Contains("MỤC LỤC VĂN BẢN", text, StringComparison.Ordinal);
            Assert.True(text.IndexOf("12/QĐ-UBND", StringComparison.Ordinal) < text.IndexOf("20/QĐ-UBND", StringComparison.Ordinal), "document order");
            Assert.Contains("4-5", text, StringComparison.Ordinal);
        }

        var notVisible = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.GetDocumentCatalogueAsync(secret, null, Ct));
        var notThere = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.GetDocumentCatalogueAsync(secret + "X", null, Ct));
        Assert.Equal((404, notThere.Result.Type, notThere.Result.Title), (notVisible.StatusCode, notVisible.Result.Type, notVisible.Result.Title));
        using (var forAdmin = await admin.GetDocumentCatalogueAsync(secret, "csv", Ct))
        {
            Assert.Equal("0", forAdmin.Headers["Archive-Catalogue-Documents"].Single());
        }
    }

    private static async Task<string> FileAsync(ArchiveClient client, string notation, string title, string maintenance, Generated.AccessLevel rights)
        => (await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = Fonds,
            FileCatalog = 2015,
            FileNotation = notation,
            Title = title,
            Maintenance = maintenance,
            Rights = rights,
            Creator = "Văn phòng HĐND và UBND xã",
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = Generated.RecordFileStatus.Finished,
            Keywords = [],
        }, Ct)).FileCode;

    private static async Task<byte[]> BytesAsync(FileResponse response)
    {
        using var buffer = new MemoryStream();
        await response.Stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }
}
