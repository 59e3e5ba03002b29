using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// Issue 22 items 6 and 7 through REST: duplicate JSON keys, enum values listing the allowed ones, malformed
/// percent-encodings in content names, invisible characters, Decree 30 type abbreviations, case variants of fonds
/// codes — each a problem naming the field and the rule, nothing stored.
/// </summary>
public sealed class InputHygieneApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task Duplicate_json_keys_are_refused_naming_the_key()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var before = factory.StoreDigest();
        var problem = await client.PostAsync($"{P}/record-files", RawJson($$"""{"fondsCode":"{{fondsCode}}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","title":"Hồ sơ khác","maintenance":"10y"}"""), Ct)
            .ExpectProblemAsync(400, "title", "json.duplicate-key");
        Assert.Contains("'title'", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Enum_errors_list_the_allowed_values()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var problem = await client.PostAsync($"{P}/record-files", RawJson($$"""{"fondsCode":"{{fondsCode}}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"10y","rights":"TopSecret"}"""), Ct)
            .ExpectProblemAsync(400, "rights", "json.type");
        Assert.Contains("Public, Conditional, Secret", (string?)problem["detail"], StringComparison.Ordinal);

        // Query enums too.
        var query = await client.GetAsync($"{P}/audit/records?outcome=Maybe", Ct).ExpectProblemAsync(400, "outcome", "enum");
        Assert.Contains("Success", (string?)problem["detail"] + (string?)query["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad%ZZname.pdf", "bad%ZZname.pdf")]
    [InlineData("bad%C3%28.pdf", "bad%C3(.pdf")]
    [InlineData("trailing%2", "trailing%2")]
    public async Task Malformed_percent_encodings_in_content_names_are_refused(string rawName, string decoded)
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Tài liệu" }), Ct).ExpectAsync(201);
        var before = factory.StoreDigest();

        // Kestrel leaves a malformed escape in the route value as it came and keeps the request target as sent
        // (RawTarget); the test server does not fill RawTarget, so it is set here as Kestrel would.
        foreach (var method in new[] { "PUT", "GET" })
        {
            var context = await factory.Server.SendAsync(c =>
            {
                var path = $"{FileUrl(fileCode)}/documents/1/contents/";
                c.Request.Method = method;
                c.Request.Path = path + decoded;
                c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = path + rawName;
                c.Request.Headers["X-Api-Key"] = factory.AdminKey;
                c.Request.ContentType = "application/pdf";
                c.Request.Body = new MemoryStream([1, 2, 3]);
            }, Ct);
            Assert.Equal(400, context.Response.StatusCode);
            var problem = (await JsonNode.ParseAsync(context.Response.Body, cancellationToken: Ct))!;
            Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["field"] == "fileName" && (string?)e!["rule"] == "file-name.percent-encoding");
        }

        Assert.Equal(before, factory.StoreDigest());

        // A well-formed escape of a '%' and of Vietnamese letters is accepted.
        await client.PutAsync($"{FileUrl(fileCode)}/documents/1/contents/{Uri.EscapeDataString("tờ trình 50%.pdf")}", Bytes([1, 2, 3], "application/octet-stream"), Ct).ExpectAsync(200);
    }

    [Fact]
    public async Task Invisible_characters_and_lower_case_type_abbreviations()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, title: "Hồ sơ\u202E tuyển dụng")), Ct).ExpectProblemAsync(422, "title", "text.invisible-character");
        await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, notation: "01.TCCB\u200B")), Ct).ExpectProblemAsync(422, "fileNotation");
        Assert.Equal(before, factory.StoreDigest());

        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        var doc = await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { typeName = "Tờ trình", codeNumber = "12", codeNotation = "TTr-UBND", issuedDate = "2015-03-02" }), Ct).ExpectAsync(201);
        Assert.Contains(doc["documents"]!.AsArray(), d => (string?)d!["codeNotation"] == "TTr-UBND");
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { codeNumber = "13", codeNotation = "QyĐ-BNV" }), Ct).ExpectAsync(201);
    }

    [Fact]
    public async Task Fonds_codes_differing_in_case_cannot_coexist()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var agency = NewAgencyId();
        await client.PostAsync($"{P}/agencies", Json(new { id = agency, name = "Sở Tư pháp" }), Ct).ExpectAsync(201);
        var problem = await client.PostAsync($"{P}/fonds", Json(new { code = fondsCode.ToLowerInvariant(), name = "Phông khác", agencyId = agency }), Ct)
            .ExpectProblemAsync(409, rule: "already-exists");
        Assert.Contains(fondsCode, (string?)problem["detail"], StringComparison.Ordinal);
    }
}
