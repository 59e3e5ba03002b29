using System.Text;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>Every kind of bad input answers a problem naming the field and the rule, and changes nothing.</summary>
public sealed class BadInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    public static TheoryData<string, string, string> RecordFileRules => new()
    {
        // JSON body (with {fonds} placeholder), expected field, expected rule.
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01 TCCB","title":"Hồ sơ","maintenance":"10y"}""", "fileNotation", "file-notation.format" },
        { """{"fondsCode":"{fonds}","fileCatalog":15,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"10y"}""", "fileCatalog", "file-catalog.range" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"  ","maintenance":"10y"}""", "title", "required" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ"}""", "maintenance", "maintenance.required" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"mãi mãi"}""", "maintenance", "retention.format" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"10y","startDate":"2015-05-01","endDate":"2015-01-01"}""", "endDate", "dates.order" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"10y","status":"Unfinished"}""", "unfinishedNote", "unfinished.note-required" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","scheduleItemCode":"NO.SUCH"}""", "scheduleItemCode", "schedule-item.not-found" },
        { """{"fondsCode":"NO-SUCH-FONDS","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"10y"}""", "fondsCode", "fonds.not-found" },
        { """{"fondsCode":"{fonds}","fileCatalog":2015,"fileNotation":"01.TCCB","title":"Hồ sơ","maintenance":"10y","organId":"000.00.00.X99"}""", "organId", "organ-id.fonds-agency" },
    };

    [Theory]
    [MemberData(nameof(RecordFileRules))]
    public async Task Record_file_rules_answer_422_with_field_and_rule_and_store_nothing(string body, string field, string rule)
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/record-files", RawJson(body.Replace("{fonds}", fondsCode, StringComparison.Ordinal)), Ct).ExpectProblemAsync(422, field, rule);
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Several_broken_rules_are_all_listed()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var problem = await client.PostAsync($"{P}/record-files", RawJson($$"""{"fondsCode":"{{fondsCode}}","fileCatalog":15,"fileNotation":"x y","title":" ","maintenance":"10y"}"""), Ct)
            .ExpectProblemAsync(422);
        var rules = problem["errors"]!.AsArray().Select(e => (string)e!["rule"]!).ToList();
        Assert.Contains("file-catalog.range", rules);
        Assert.Contains("file-notation.format", rules);
        Assert.Contains("required", rules);
    }

    [Fact]
    public async Task Document_rules_answer_422()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        var before = factory.StoreDigest();
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { codeNumber = "5", codeNotation = "QĐ-BNV" }), Ct).ExpectProblemAsync(422, "codeNumber", "code-number.zero-pad");
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { codeNumber = "05", codeNotation = "qđ bnv" }), Ct).ExpectProblemAsync(422, "codeNotation", "code-notation.format");
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { codeNumber = "05" }), Ct).ExpectProblemAsync(422, "codeNotation", "number-symbol.pair");
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { docOrdinal = 1000 }), Ct).ExpectProblemAsync(422, "docOrdinal", "doc-ordinal.range");
        // One document's request names its own fields, not documents[n].* of the whole file (#22 item 2).
        var problem = await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = new string('s', 501) }), Ct).ExpectProblemAsync(422, "subject", "max-length");
        Assert.DoesNotContain("documents[", problem.ToJsonString(), StringComparison.Ordinal);
        await client.PostAsync($"{FileUrl(fileCode)}/non-archival", Json(new { kind = "Draft", reason = " " }), Ct).ExpectProblemAsync(422, "reason", "weeding.reason-required");
        await client.PostAsync($"{FileUrl(fileCode)}/legal-hold", Json(new { hold = true, reason = "" }), Ct).ExpectProblemAsync(422, "reason", "legal-hold.reason-required");
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Agency_and_fonds_rules_and_duplicates()
    {
        var client = factory.CreateClient();
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/agencies", Json(new { id = "abc def", name = "Sai" }), Ct).ExpectProblemAsync(422, "id", "agency-id.format");
        await client.PostAsync($"{P}/agencies", Json(new { id = "000.00.00.H01", name = "" }), Ct).ExpectProblemAsync(422, "name", "required");
        await client.PostAsync($"{P}/agencies", Json(new { id = "000.00.00.H02", name = "Con", parentId = "000.00.00.H99" }), Ct).ExpectProblemAsync(422, "parentId", "agency.not-found");
        await client.PostAsync($"{P}/fonds", Json(new { code = "P 1", name = "Phông", agencyId = "000.00.00.H98" }), Ct).ExpectProblemAsync(422, "code", "fonds.code-format");
        Assert.Equal(before, factory.StoreDigest());

        var (agencyId, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        before = factory.StoreDigest();
        await client.PostAsync($"{P}/agencies", Json(new { id = agencyId, name = "Trùng" }), Ct).ExpectProblemAsync(409, "agency", "already-exists");
        await client.PostAsync($"{P}/fonds", Json(new { code = fondsCode, name = "Trùng", agencyId }), Ct).ExpectProblemAsync(409, "fonds", "already-exists");
        await client.PostAsync($"{P}/fonds", Json(new { code = fondsCode + "-2", name = "Phông thứ hai", agencyId }), Ct).ExpectProblemAsync(409, "fonds", "fonds.one-per-agency");
        await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode)), Ct).ExpectProblemAsync(409, "record-file", "already-exists");
        await client.PostAsync($"{P}/fonds/{fondsCode}/close", Json(new { closedOn = "2999-01-01", reason = "Tương lai" }), Ct).ExpectProblemAsync(422, "closedOn", "fonds.closed-on-future");
        Assert.Equal(before, factory.StoreDigest());
        Assert.NotNull(fileCode);
    }

    [Fact]
    public async Task Malformed_json_answers_400_naming_the_position()
    {
        var client = factory.CreateClient();
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/agencies", RawJson("""{"id": "000.00.00.H03", "name": """), Ct).ExpectProblemAsync(400, rule: "json.syntax");
        await client.PostAsync($"{P}/agencies", RawJson("""{"id": "000.00.00.H03", "name": "A",}"""), Ct).ExpectProblemAsync(400, rule: "json.syntax");
        await client.PostAsync($"{P}/agencies", RawJson("""{"id": "000.00.00.H03"}"""), Ct).ExpectProblemAsync(400, rule: "json.required");
        await client.PostAsync($"{P}/agencies", RawJson("""{"id": "000.00.00.H03", "name": "A", "status": "Sleeping"}"""), Ct).ExpectProblemAsync(400, "status", "json.type");
        await client.PostAsync($"{P}/record-files", RawJson("""{"fondsCode":"P","fileCatalog":"năm 2015","fileNotation":"01.A","title":"T"}"""), Ct).ExpectProblemAsync(400, "fileCatalog", "json.type");
        await client.PostAsync($"{P}/agencies", RawJson("null"), Ct).ExpectProblemAsync(400, "body", "json.null");
        await client.PostAsync($"{P}/agencies", RawJson(""), Ct).ExpectProblemAsync(400);
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_with_400_before_any_mapping()
    {
        // GHSA-rvv3-g6hj-g44x (AutoMapper 14) needs ~25,000 nesting levels; request JSON stops at 64.
        var client = factory.CreateClient();
        var deep = new StringBuilder("""{"id":"000.00.00.H04","name":"Sâu","extra":""");
        const int levels = 30_000;
        for (var i = 0; i < levels; i++)
        {
            deep.Append("{\"a\":");
        }

        deep.Append('1').Append('}', levels).Append('}');
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/agencies", RawJson(deep.ToString()), Ct).ExpectProblemAsync(400, rule: "json.max-depth");
        await client.GetAsync($"{P}/agencies/000.00.00.H04", Ct).ExpectProblemAsync(404);
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Wrong_media_type_answers_415()
    {
        var client = factory.CreateClient();
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/agencies", new StringContent("""{"id":"000.00.00.H05","name":"A"}""", Encoding.UTF8, "text/plain"), Ct)
            .ExpectProblemAsync(415, "Content-Type", "media-type.json-required");
        await client.PostAsync($"{P}/agencies", new FormUrlEncodedContent([new("id", "000.00.00.H05")]), Ct)
            .ExpectProblemAsync(415, "Content-Type", "media-type.json-required");
        var (agencyId, _) = await SeedAsync(client);
        before = factory.StoreDigest();
        await client.PutAsync($"{P}/agencies/{agencyId}/retention-schedule", new StringContent("<xml/>", Encoding.UTF8, "application/xml"), Ct)
            .ExpectProblemAsync(415, "Content-Type", "media-type.schedule");
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Unknown_resources_answer_404_problems()
    {
        var client = factory.CreateClient();
        await client.GetAsync($"{P}/agencies/000.00.00.Z99", Ct).ExpectProblemAsync(404, "agency", "not-found");
        await client.GetAsync($"{P}/fonds/NOPE", Ct).ExpectProblemAsync(404, "fonds", "not-found");
        await client.GetAsync(FileUrl("000.00.00.Z99.2015.01.A"), Ct).ExpectProblemAsync(404, "record-file", "not-found");
        await client.GetAsync($"{FileUrl("000.00.00.Z99.2015.01.A")}/history", Ct).ExpectProblemAsync(404);
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        await client.GetAsync($"{FileUrl(fileCode)}/versions/9", Ct).ExpectProblemAsync(404, "version");
        await client.GetAsync($"{FileUrl(fileCode)}/documents/4", Ct).ExpectProblemAsync(404, "document");
    }

    [Fact]
    public async Task Bad_query_values_answer_400()
    {
        var client = factory.CreateClient();
        await client.GetAsync($"{P}/search?filter=nonsense", Ct).ExpectProblemAsync(400, "filter", "search.filter-format");
        await client.GetAsync($"{P}/search?filter=color:red", Ct).ExpectProblemAsync(400, "filter", "search.filter-field");
        await client.GetAsync($"{P}/search?facet=color", Ct).ExpectProblemAsync(400, "facet", "search.facet-field");
        await client.GetAsync($"{P}/search?sort=random", Ct).ExpectProblemAsync(400, "sort", "search.sort");
        await client.GetAsync($"{P}/search?pageSize=5000", Ct).ExpectProblemAsync(400, "pageSize", "page-size.range");
        await client.GetAsync($"{P}/record-files?status=lost", Ct).ExpectProblemAsync(400, "status", "status.value");
    }

    [Theory]
    [InlineData("/search?q=x&pageSize=abc", "pageSize")]
    [InlineData("/search?q=x&dateFrom=2022-13-45", "dateFrom")]
    [InlineData("/search?q=x&highlight=maybe", "highlight")]
    [InlineData("/retention/due/transfer?asOf=garbage", "asOf")]
    [InlineData("/audit/records?from=x", "from")]
    public async Task A_query_value_the_framework_cannot_bind_is_a_problem_naming_the_parameter(string path, string parameter)
    {
        var problem = await factory.CreateClient().GetAsync(ApiFactory.Prefix + path, Ct).ExpectProblemAsync(400, parameter, "parameter.format");
        Assert.Contains(parameter, (string?)problem["detail"], StringComparison.Ordinal);
    }
}
