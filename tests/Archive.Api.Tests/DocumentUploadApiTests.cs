using System.Security.Cryptography;
using Archive.Api.Tests.Support;
using Archive.Testing.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary><c>POST /record-files/{fileCode}/documents/upload</c>: a document with its content files in one request and one version.</summary>
public sealed class DocumentUploadApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly byte[] Pdf = TestPdf.Create("Công văn số 45/SNV-VP về việc bàn giao hồ sơ khi sáp nhập Sở Tư pháp");

    private static object Manifest(string part1 = "p1", string part2 = "p2", string? sha = null, int? ordinal = null) => new
    {
        document = new { docOrdinal = ordinal, typeName = "Công văn", codeNumber = "45", codeNotation = "SNV-VP", issuedDate = "2015-04-02", organName = "Sở Nội vụ", subject = "Bàn giao hồ sơ khi sáp nhập" },
        contents = new object[] { new { part = part1, fileName = "công văn 45.pdf", sha256 = sha }, new { part = part2, fileName = "ghi-chu.txt" } },
    };

    private static string Url(string fileCode) => $"{FileUrl(fileCode)}/documents/upload";

    [Fact]
    public async Task A_document_with_its_content_files_is_filed_in_one_version()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "01.UPL");
        var sha = Convert.ToHexStringLower(SHA256.HashData(Pdf));

        using var response = await client.PostAsync(Url(fileCode), MultipartBody("document", Manifest(sha: sha), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú bàn giao"u8.ToArray(), "text/plain")), Ct);
        var created = await Task.FromResult(response).ExpectAsync(201);

        // One version on top of the creation, Location naming the new document.
        Assert.Equal(2, (int)created["version"]!);
        Assert.Equal("\"v2\"", response.Headers.ETag!.Tag);
        Assert.EndsWith($"/record-files/{Uri.EscapeDataString(fileCode)}/documents/1", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(2, (await client.GetAsync($"{FileUrl(fileCode)}/history", Ct).ExpectAsync(200)).AsArray().Count);

        var document = created["documents"]!.AsArray().Single()!;
        Assert.Equal("Bàn giao hồ sơ khi sáp nhập", (string)document["subject"]!);
        var pdf = document["contents"]!.AsArray().Single(c => (string)c!["name"]! == "công văn 45.pdf")!;
        Assert.Equal(("application/pdf", sha), ((string)pdf["mediaType"]!, (string)pdf["sha256"]!));
        Assert.Equal("Extracted", (string)pdf["textStatus"]!);
        Assert.True((int)document["pageAmount"]! >= 1);

        using var download = await client.GetAsync(ContentUrl(fileCode, 1, "công văn 45.pdf"), Ct);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync(Ct));

        // The next one takes the next ordinal; If-Match is honoured.
        var next = new HttpRequestMessage(HttpMethod.Post, Url(fileCode)) { Content = MultipartBody("document", Manifest(), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")) };
        next.Headers.TryAddWithoutValidation("If-Match", "\"v1\"");
        await client.SendAsync(next, Ct).ExpectProblemAsync(412);
        var second = await client.PostAsync(Url(fileCode), MultipartBody("document", Manifest(), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")), Ct).ExpectAsync(201);
        Assert.Equal(3, (int)second["version"]!);
        Assert.Equal([1, 2], second["documents"]!.AsArray().Select(d => (int)d!["docOrdinal"]!).ToArray());
    }

    [Fact]
    public async Task Bad_uploads_answer_a_problem_naming_the_part_or_field_and_store_nothing()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "01.UPLSAI");

        // No such record file: 404 before any part is read (the first 404 creates the decoy record file, so it comes before the snapshot).
        await client.PostAsync(Url(fileCode + "X"), MultipartBody("document", Manifest(), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")), Ct).ExpectProblemAsync(404);
        var before = factory.StoreDigest();
        var url = Url(fileCode);

        await client.PostAsync(url, Json(Manifest()), Ct).ExpectProblemAsync(415, "Content-Type", "media-type.multipart-required");
        var wrongOrder = new MultipartFormDataContent { { new ByteArrayContent(Pdf), "p1", "a.pdf" }, { Json(Manifest()), "document" } };
        await client.PostAsync(url, wrongOrder, Ct).ExpectProblemAsync(400, "document", "import.manifest-first");
        await client.PostAsync(url, MultipartBody("document", Manifest(), ("p1", Pdf, "application/pdf")), Ct).ExpectProblemAsync(422, "contents[1].part", "import.part-missing");
        await client.PostAsync(url, MultipartBody("document", Manifest(), ("p1", Pdf, "application/pdf"), ("extra", [1], "text/plain")), Ct).ExpectProblemAsync(400, "parts[extra]", "import.part-unused");

        // Engine rules name the document's own fields and the content files as contents[j].
        await client.PostAsync(url, MultipartBody("document", Manifest(sha: new string('0', 64)), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")), Ct)
            .ExpectProblemAsync(422, "contents[0].sha256", "content.sha256-mismatch");
        await client.PostAsync(url, MultipartBody("document", Manifest(), ("p1", "<html><body>x</body></html>"u8.ToArray(), "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")), Ct)
            .ExpectProblemAsync(422, "contents[0].mediaType", "content.media-type-mismatch");
        var badDate = new
        {
            document = new { subject = "Văn bản", issuedDate = "2999-01-01" },
            contents = new object[] { new { part = "p1", fileName = "a.pdf" } },
        };
        await client.PostAsync(url, MultipartBody("document", badDate, ("p1", Pdf, "application/pdf")), Ct).ExpectProblemAsync(422, "issuedDate");
        var badName = new { document = new { subject = "Văn bản" }, contents = new object[] { new { part = "p1", fileName = "../a.pdf" } } };
        await client.PostAsync(url, MultipartBody("document", badName, ("p1", Pdf, "application/pdf")), Ct).ExpectProblemAsync(422, "contents[0].fileName", "file-name.path");

        Assert.Equal(before, factory.StoreDigest());

        // An ordinal already taken.
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Văn bản một" }), Ct).ExpectAsync(201);
        before = factory.StoreDigest();
        await client.PostAsync(url, MultipartBody("document", Manifest(ordinal: 1), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")), Ct).ExpectProblemAsync(422, "docOrdinal", "doc-ordinal.taken");

        Assert.Equal(before, factory.StoreDigest());
        Assert.Single((await client.GetAsync(FileUrl(fileCode), Ct).ExpectAsync(200))["documents"]!.AsArray());
    }
}
