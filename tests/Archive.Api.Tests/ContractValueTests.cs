using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// One spelling per value in the REST contract (#22 item 9.3): languages are ISO 639 codes in fonds and record files
/// alike, record-file statuses are spelled as the record files' JSON writes them in lists, search hits, filters and
/// facets; the old spellings are still read.
/// </summary>
public sealed class ContractValueTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task Language_is_an_ISO_639_code_in_record_files_and_documents_as_in_fonds()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fonds = await client.GetAsync($"{P}/fonds/{fondsCode}", Ct).ExpectAsync(200);
        Assert.Equal("vi", (string?)fonds["language"]);

        var byDefault = await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "01.TCCB")), Ct).ExpectAsync(201);
        Assert.Equal("vi", (string?)byDefault["language"]);
        var oldSpelling = await client.PostAsync($"{P}/record-files", Json(new { fondsCode, fileCatalog = 2015, fileNotation = "02.TCCB", title = "Hồ sơ", maintenance = "10y", language = "Tiếng Việt" }), Ct).ExpectAsync(201);
        Assert.Equal("vi", (string?)oldSpelling["language"]);
        var other = await client.PostAsync($"{P}/record-files", Json(new { fondsCode, fileCatalog = 2015, fileNotation = "03.TCCB", title = "Hồ sơ", maintenance = "10y", language = "en" }), Ct).ExpectAsync(201);
        Assert.Equal("en", (string?)other["language"]);

        var fileCode = (string)byDefault["fileCode"]!;
        var withDocument = await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Tờ trình", language = "Tiếng Việt" }), Ct).ExpectAsync(201);
        Assert.Equal("vi", (string?)withDocument["documents"]![0]!["language"]);
    }

    [Fact]
    public async Task Status_is_spelled_as_record_files_spell_it_in_lists_filters_hits_and_facets()
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var created = await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "01.VP")), Ct).ExpectAsync(201);
        Assert.Equal("Finished", (string?)created["status"]);

        foreach (var spelling in new[] { "Finished", "finished", "FINISHED" })
        {
            var list = await client.GetAsync($"{P}/record-files?agencyId={agencyId}&status={spelling}", Ct).ExpectAsync(200);
            Assert.Single(list["items"]!.AsArray());
            var search = await client.GetAsync($"{P}/search?filter=agency:{agencyId}&filter=status:{spelling}&facet=status&consistent=true", Ct).ExpectAsync(200);
            Assert.Equal(1, (long)search["total"]!);
            Assert.Equal("Finished", (string?)search["hits"]![0]!["status"]);
            var facet = Assert.Single(search["facets"]!["status"]!.AsArray());
            Assert.Equal(("Finished", 1L), ((string?)facet!["value"], (long)facet["count"]!));
        }

        var none = await client.GetAsync($"{P}/record-files?agencyId={agencyId}&status=Unfinished", Ct).ExpectAsync(200);
        Assert.Empty(none["items"]!.AsArray());
        await client.GetAsync($"{P}/record-files?status=lost", Ct).ExpectProblemAsync(400, "status", "status.value");
    }
}
