using System.Security.Cryptography;
using Archive.Api.Tests.Support;
using Archive.Testing.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary><c>POST /record-files/import</c>: a whole record file in one multipart request and one version.</summary>
public sealed class ImportApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    private static readonly byte[] Pdf = TestPdf.Create("Quyết định số 12/QĐ-UBND về việc hợp nhất Sở Tư pháp và Sở Nội vụ");

    private static object Manifest(string fondsCode, string notation, string part1 = "p1", string part2 = "p2", string? sha = null) => new
    {
        file = RecordFile(fondsCode, notation),
        documents = new object[]
        {
            new
            {
                document = new { typeName = "Quyết định", codeNumber = "12", codeNotation = "QĐ-UBND", issuedDate = "2015-03-19", organName = "UBND tỉnh", subject = "Hợp nhất Sở Tư pháp" },
                contents = new object[] { new { part = part1, fileName = "quyết định 12.pdf", sha256 = sha }, new { part = part2, fileName = "ghi-chu.txt" } },
            },
            new { document = new { subject = "Danh sách công chức", pageAmount = 3 }, contents = Array.Empty<object>() },
        },
    };

    [Fact]
    public async Task A_record_file_with_documents_and_content_is_imported_in_one_version()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Pdf));

        using var response = await client.PostAsync($"{P}/record-files/import", ImportBody(Manifest(fondsCode, "01.NHAP", sha: sha), ("p1", Pdf, "application/pdf"), ("p2", "ghi chú"u8.ToArray(), "text/plain")), Ct);
        var created = await Task.FromResult(response).ExpectAsync(201);

        var fileCode = (string)created["fileCode"]!;
        Assert.Equal(FileUrl(fileCode), response.Headers.Location!.OriginalString);
        Assert.Equal("\"v1\"", response.Headers.ETag!.Tag);
        Assert.Equal(1, (int)created["version"]!);
        Assert.NotNull(created["projection"]!["state"]); // stored; searchable once projected (#23)
        var documents = created["documents"]!.AsArray();
        Assert.Equal(2, documents.Count);
        var pdf = documents[0]!["contents"]!.AsArray().Single(c => (string)c!["name"]! == "quyết định 12.pdf")!;
        Assert.Equal(("application/pdf", sha), ((string)pdf["mediaType"]!, (string)pdf["sha256"]!));
        Assert.Single((await client.GetAsync($"{FileUrl(fileCode)}/history", Ct).ExpectAsync(200)).AsArray());

        using var download = await client.GetAsync(ContentUrl(fileCode, 1, "quyết định 12.pdf"), Ct);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync(Ct));
        var hits = await client.GetAsync($"{P}/search?q={Uri.EscapeDataString("hop nhat so tu phap")}&filter=kind:Document&consistent=true", Ct).ExpectAsync(200);
        Assert.Contains(hits["hits"]!.AsArray(), h => ((string)h!["id"]!).StartsWith(fileCode, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_imports_answer_a_problem_naming_the_part_or_field_and_store_nothing()
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var before = factory.StoreDigest();
        var url = $"{P}/record-files/import";

        // Not multipart.
        await client.PostAsync(url, Json(Manifest(fondsCode, "01.SAI")), Ct).ExpectProblemAsync(415, "Content-Type", "media-type.multipart-required");

        // The manifest must come first.
        var wrongOrder = new MultipartFormDataContent { { new ByteArrayContent(Pdf), "p1", "a.pdf" }, { Json(Manifest(fondsCode, "01.SAI")), "manifest" } };
        await client.PostAsync(url, wrongOrder, Ct).ExpectProblemAsync(400, "manifest", "import.manifest-first");

        // A named part is missing; a part the manifest does not name is refused as soon as it arrives.
        await client.PostAsync(url, ImportBody(Manifest(fondsCode, "01.SAI"), ("p1", Pdf, "application/pdf")), Ct).ExpectProblemAsync(422, "documents[0].contents[1].part", "import.part-missing");
        await client.PostAsync(url, ImportBody(Manifest(fondsCode, "01.SAI"), ("p1", Pdf, "application/pdf"), ("extra", [1], "text/plain"), ("p2", [1], "text/plain")), Ct).ExpectProblemAsync(400, "parts[extra]", "import.part-unused");

        // Engine rules name the field; a digest mismatch stores nothing.
        await client.PostAsync(url, ImportBody(Manifest(fondsCode, "01 SAI"), ("p1", Pdf, "application/pdf"), ("p2", [1], "text/plain")), Ct).ExpectProblemAsync(422, "fileNotation", "file-notation.format");
        await client.PostAsync(url, ImportBody(Manifest(fondsCode, "01.SAI", sha: new string('0', 64)), ("p1", Pdf, "application/pdf"), ("p2", [1], "text/plain")), Ct)
            .ExpectProblemAsync(422, "documents[0].contents[0].sha256", "content.sha256-mismatch");

        // Malformed manifest JSON.
        var broken = new MultipartFormDataContent { { RawJson("{\"file\": "), "manifest" } };
        await client.PostAsync(url, broken, Ct).ExpectProblemAsync(400);

        Assert.Equal(before, factory.StoreDigest());
        await client.GetAsync(FileUrl(agencyId + ".2015.01.SAI"), Ct).ExpectProblemAsync(404);
    }
}
