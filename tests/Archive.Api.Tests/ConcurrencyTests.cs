using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>Optimistic concurrency: ETag = "v{version}", If-Match required on replacing PUTs.</summary>
public sealed class ConcurrencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static object Update(string fondsCode, string title) => new { fondsCode, fileCatalog = 2015, fileNotation = "01.TCCB", title, maintenance = "10y" };

    [Fact]
    public async Task Concurrent_conflicting_updates_one_wins_the_other_gets_412_and_changes_nothing()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        var etag = await ETagAsync(client, FileUrl(fileCode));
        Assert.Equal("\"v1\"", etag);

        // Two clients read v1 and both try to replace it at the same time.
        var a = client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Tiêu đề A")), etag);
        var b = client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Tiêu đề B")), etag);
        var responses = await Task.WhenAll(a, b);
        var statuses = responses.Select(r => (int)r.StatusCode).Order().ToArray();
        Assert.Equal([200, 412], statuses);
        var winner = responses.Single(r => (int)r.StatusCode == 200);
        var loser = responses.Single(r => (int)r.StatusCode == 412);
        Assert.Equal("\"v2\"", winner.Headers.ETag?.ToString());
        var problem = await loser.ReadJsonAsync();
        Assert.Equal("version.mismatch", (string?)problem["errors"]![0]!["rule"]);
        Assert.Equal("\"v2\"", (string?)problem["currentETag"]);
        var winnerTitle = (string?)(await winner.ReadJsonAsync())["title"];
        foreach (var r in responses)
        {
            r.Dispose();
        }

        var now = await client.GetAsync(FileUrl(fileCode), Ct).ExpectAsync(200);
        Assert.Equal(2, (int)now["version"]!);
        Assert.Equal(winnerTitle, (string?)now["title"]);
        Assert.Equal(2, (await client.GetAsync($"{FileUrl(fileCode)}/history", Ct).ExpectAsync(200)).AsArray().Count);
    }

    [Fact]
    public async Task Replacing_without_If_Match_answers_428_and_a_stale_or_weak_tag_412()
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "A" }), Ct).ExpectAsync(201);
        var before = factory.StoreDigest();
        await client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Mới")), null).ExpectProblemAsync(428, "If-Match", "if-match.required");
        await client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Mới")), "\"v1\"").ExpectProblemAsync(412, "If-Match", "version.mismatch");
        await client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Mới")), "W/\"v2\"").ExpectProblemAsync(412);
        await client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Mới")), "not-a-tag").ExpectProblemAsync(400, "If-Match", "if-match.format");
        await client.PutWithIfMatch($"{FileUrl(fileCode)}/documents/1", Json(new { subject = "B" }), null).ExpectProblemAsync(428);
        await client.PutWithIfMatch($"{ApiFactory.Prefix}/agencies/{agencyId}", Json(new { name = "Tên mới" }), null).ExpectProblemAsync(428);
        // Identity cannot change (422), even with the right tag.
        await client.PutWithIfMatch(FileUrl(fileCode), Json(new { fondsCode, fileCatalog = 2016, fileNotation = "01.TCCB", title = "X", maintenance = "10y" }), "\"v2\"")
            .ExpectProblemAsync(422, "fileCatalog", "record-file.identity-immutable");
        Assert.Equal(before, factory.StoreDigest());

        var updated = await client.PutWithIfMatch(FileUrl(fileCode), Json(Update(fondsCode, "Mới")), "\"v2\"").ExpectAsync(200);
        Assert.Equal(3, (int)updated["version"]!);
        Assert.Single(updated["documents"]!.AsArray()); // documents are kept by a record-file update
        var doc = await client.PutWithIfMatch($"{FileUrl(fileCode)}/documents/1", Json(new { subject = "B" }), "*").ExpectAsync(200);
        Assert.Equal("B", (string?)doc["documents"]![0]!["subject"]);
        var agency = await client.PutWithIfMatch($"{ApiFactory.Prefix}/agencies/{agencyId}", Json(new { name = "Tên mới" }), "\"v1\"").ExpectAsync(200);
        Assert.Equal(2, (int)agency["version"]!);
    }

    [Fact]
    public async Task Optional_If_Match_on_additions_is_checked_when_given()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{FileUrl(fileCode)}/documents") { Content = Json(new { subject = "A" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"v5\"");
        var before = factory.StoreDigest();
        await client.SendAsync(request, Ct).ExpectProblemAsync(412);
        Assert.Equal(before, factory.StoreDigest());
    }
}
