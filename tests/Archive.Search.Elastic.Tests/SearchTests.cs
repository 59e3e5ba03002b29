using System.Text.Json.Nodes;
using Archive.Testing.Search;
using Archive.Search.Elastic.Internal;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>Search requests (pinned JSON) and how responses become <see cref="SearchResults"/>.</summary>
public class SearchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Folded = """["title.f^2","subject.f^1.5","meta.f","body.f"]""";
    private const string Accented = """["title","subject^0.75","meta^0.5","body^0.5"]""";
    private const string Bigrams = """["title.s","subject.s^0.75","meta.s^0.5","body.s^0.5"]""";

    private static SearchRequest Representative(string? cursor = null) => new()
    {
        Query = "hồ sơ \"lưu trữ\" -tiêu",
        Filters =
        [
            new TermsFilter(SearchFields.Agency, ["000.00.00.H30"]),
            new TermsFilter(SearchFields.AccessLevel, ["secret"], Exclude: true),
            new TermsFilter("tag.unit", ["VP", "LT"]),
            new DateRangeFilter(new DateOnly(2020, 1, 1), new DateOnly(2021, 12, 31)),
            new YearRangeFilter(2019, null),
        ],
        Facets = [SearchFields.Agency, SearchFields.Year, "tag.unit"],
        FacetSize = 5,
        Highlight = true,
        PageSize = 2,
        Cursor = cursor,
    };

    [Fact]
    public async Task A_search_with_text_filters_facets_highlight_and_cursor_sends_this_request()
    {
        var s = new Scenario { SearchResponse = Response(3, withSort: true) };
        var first = await s.Index.SearchAsync(Representative(), Ct);
        Assert.NotNull(first.NextCursor);
        await s.Index.SearchAsync(Representative(first.NextCursor), Ct);

        var searches = s.Cluster.Sent("POST", "/archive-test/_search");
        Assert.Equal(2, searches.Count);
        var hash = SearchCursor.HashOf(Representative()).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"preference={hash}&allow_partial_search_results=false&typed_keys=true", searches[1].Query);
        JsonAssert.Equivalent($$"""
            {
              "query": { "bool": {
                "must": { "bool": {
                  "must": { "bool": { "minimum_should_match": 1, "should": [
                    { "multi_match": { "query": "lưu trữ", "type": "phrase", "tie_breaker": 1, "fields": {{Folded}} } },
                    { "multi_match": { "query": "lưu trữ", "type": "phrase", "tie_breaker": 1, "fields": {{Accented}} } } ] } },
                  "should": [
                    { "multi_match": { "query": "hồ sơ", "type": "most_fields", "fields": {{Folded}} } },
                    { "multi_match": { "query": "hồ sơ", "type": "most_fields", "fields": {{Accented}} } },
                    { "multi_match": { "query": "hồ sơ", "type": "most_fields", "fields": {{Bigrams}} } } ],
                  "must_not": { "multi_match": { "query": "tiêu", "type": "phrase", "tie_breaker": 1, "fields": ["title","subject","meta","body"] } } } },
                "filter": [
                  { "terms": { "f.agency": ["000.00.00.H30"] } },
                  { "terms": { "f.tag.unit": ["VP", "LT"] } },
                  { "range": { "date": { "gte": "2020-01-01", "lte": "2021-12-31", "format": "strict_date" } } },
                  { "range": { "date": { "gte": "2019-01-01", "format": "strict_date" } } } ],
                "must_not": { "terms": { "f.access": ["Secret"] } },
                "should": { "nested": {
                  "path": "pages", "score_mode": "max", "boost": 0,
                  "query": { "bool": { "should": [ { "match": { "pages.text": { "query": "hồ sơ" } } }, { "match_phrase": { "pages.text": { "query": "lưu trữ" } } } ] } },
                  "inner_hits": { "name": "pages", "size": 3, "_source": false, "highlight": {
                    "encoder": "html", "pre_tags": ["<em>"], "post_tags": ["</em>"], "max_analyzed_offset": 500000,
                    "fields": { "pages.text": { "fragment_size": 160, "number_of_fragments": 3 } } } } } } } },
              "size": 3,
              "track_total_hits": true,
              "sort": [ { "_score": { "order": "desc" } }, { "id": { "order": "asc" } } ],
              "search_after": [2.0, "b"],
              "aggregations": {
                "facet0": { "terms": { "field": "f.agency", "size": 5, "order": [ { "_count": "desc" }, { "_key": "asc" } ] } },
                "facet1": { "terms": { "field": "f.year", "size": 5, "order": [ { "_count": "desc" }, { "_key": "asc" } ] } },
                "facet2": { "terms": { "field": "f.tag.unit", "size": 5, "order": [ { "_count": "desc" }, { "_key": "asc" } ] } } },
              "highlight": {
                "encoder": "html", "pre_tags": ["<em>"], "post_tags": ["</em>"], "require_field_match": true, "max_analyzed_offset": 500000,
                "fields": [
                  { "title.f": { "number_of_fragments": 0, "highlight_query": { "bool": { "should": [
                      { "match": { "title.f": { "query": "hồ sơ" } } }, { "match_phrase": { "title.f": { "query": "lưu trữ" } } } ] } } } },
                  { "subject.f": { "number_of_fragments": 0, "highlight_query": { "bool": { "should": [
                      { "match": { "subject.f": { "query": "hồ sơ" } } }, { "match_phrase": { "subject.f": { "query": "lưu trữ" } } } ] } } } },
                  { "text": { "fragment_size": 160, "number_of_fragments": 3, "highlight_query": { "bool": { "should": [
                      { "match": { "text": { "query": "hồ sơ" } } }, { "match_phrase": { "text": { "query": "lưu trữ" } } } ] } } } } ] }
            }
            """, searches[1].Json);
        Assert.Null(searches[0].Json!["search_after"]);
    }

    [Fact]
    public async Task Empty_query_matches_all_and_an_unaccented_query_skips_the_accented_fields()
    {
        var s = new Scenario();
        await s.Index.SearchAsync(new SearchRequest(), Ct);
        await s.Index.SearchAsync(new SearchRequest { Query = "ho so", Sort = SearchSort.DateDescending }, Ct);
        await s.Index.SearchAsync(new SearchRequest { Query = "? !", Sort = SearchSort.DateAscending }, Ct);
        var sent = s.Cluster.Sent("POST", "/archive-test/_search");

        JsonAssert.Equivalent("""{ "bool": { "must": { "bool": { "must": { "match_all": {} } } } } }""", sent[0].Json!["query"]);
        JsonAssert.Equivalent("""[ { "_score": { "order": "desc" } }, { "id": { "order": "asc" } } ]""", sent[0].Json!["sort"]);
        Assert.Equal(21, sent[0].Json!["size"]!.GetValue<int>());
        Assert.Null(sent[0].Json!["highlight"]);
        Assert.Null(sent[0].Json!["aggregations"]);

        JsonAssert.Equivalent($$"""
            { "bool": { "must": { "bool": { "minimum_should_match": 1, "should": [
              { "multi_match": { "query": "ho so", "type": "most_fields", "fields": {{Folded}} } },
              { "multi_match": { "query": "ho so", "type": "most_fields", "fields": {{Bigrams}} } } ] } } } }
            """, sent[1].Json!["query"]);
        JsonAssert.Equivalent("""[ { "date": { "order": "desc", "missing": "_last" } }, { "id": { "order": "asc" } } ]""", sent[1].Json!["sort"]);

        // Punctuation only analyses to nothing: everything matches, as in the embedded engine.
        JsonAssert.Equivalent("""{ "bool": { "must": { "bool": { "must": { "match_all": {} } } } } }""", sent[2].Json!["query"]);
        JsonAssert.Equivalent("""[ { "date": { "order": "asc", "missing": "_last" } }, { "id": { "order": "asc" } } ]""", sent[2].Json!["sort"]);
    }

    [Fact]
    public async Task Excluding_an_empty_list_sends_nothing_and_including_one_matches_nothing()
    {
        var s = new Scenario();
        await s.Index.SearchAsync(new SearchRequest { Filters = [new TermsFilter(SearchFields.Agency, [], Exclude: true)] }, Ct);
        await s.Index.SearchAsync(new SearchRequest { Filters = [new TermsFilter(SearchFields.Agency, [])] }, Ct);
        var sent = s.Cluster.Sent("POST", "/archive-test/_search");
        Assert.Null(sent[0].Json!["query"]!["bool"]!["must_not"]);
        Assert.Null(sent[0].Json!["query"]!["bool"]!["filter"]);
        JsonAssert.Equivalent("""{ "terms": { "f.agency": [] } }""", sent[1].Json!["query"]!["bool"]!["filter"]);
    }

    [Fact]
    public async Task A_highlight_from_a_labelled_page_carries_its_label_kept_in_src()
    {
        var labelled = SearchFixtures.Get("paged") with { PageLabels = [null, "Danh mục hồ sơ", null] };
        var response = Response(1, withSort: false);
        var source = JsonNode.Parse(new EsDocument(labelled).Json.Span)!.AsObject();
        source.Remove("meta");
        source.Remove("body");
        Assert.Equal("""[null,"Danh mục hồ sơ",null]""", source["src"]!["pageLabels"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        response["hits"]!["hits"]![0]!["_source"] = source;
        var s = new Scenario { SearchResponse = response };

        var hit = (await s.Index.SearchAsync(Representative(), Ct)).Hits.Single();

        Assert.Equal(labelled.PageLabels, hit.Document.PageLabels);
        Assert.Equal(
            [
                new Highlight(SearchFields.Title, "Biên bản <em>giao</em> nhận tài liệu"),
                new Highlight(SearchFields.Text, "hai bên <em>giao</em> và bên nhận.", 1),
                new Highlight(SearchFields.Text, "Trang hai: bên <em>giao</em> bàn <em>giao</em> phông", 2) { Label = "Danh mục hồ sơ" },
            ],
            hit.Highlights);
    }

    [Fact]
    public async Task Hits_facets_highlights_and_cursor_come_from_the_response()
    {
        var s = new Scenario { SearchResponse = Response(3, withSort: true) };
        var results = await s.Index.SearchAsync(Representative(), Ct);

        Assert.Equal(42, results.Total);
        Assert.Equal(["paged", "vb-002"], results.Hits.Select(h => h.Document.Id));
        Assert.Equal(2.5, results.Hits[0].Score);
        var paged = SearchFixtures.Get("paged");
        Assert.Equal(paged.Pages, results.Hits[0].Document.Pages);
        Assert.Equal(paged.Tags, results.Hits[0].Document.Tags);
        Assert.Equal(paged.Keywords, results.Hits[0].Document.Keywords);
        Assert.Equal(paged.Date, results.Hits[0].Document.Date);
        Assert.Equal(paged.AccessLevel, results.Hits[0].Document.AccessLevel);
        Assert.Equal(paged.Kind, results.Hits[0].Document.Kind);
        Assert.Equal(SearchFixtures.Get("vb-002"), results.Hits[1].Document with { Keywords = SearchFixtures.Get("vb-002").Keywords, Tags = SearchFixtures.Get("vb-002").Tags });

        Assert.Equal(
            [
                new Highlight(SearchFields.Title, "Biên bản <em>giao</em> nhận tài liệu"),
                new Highlight(SearchFields.Text, "hai bên <em>giao</em> và bên nhận.", 1),
                new Highlight(SearchFields.Text, "Trang hai: bên <em>giao</em> bàn <em>giao</em> phông", 2),
            ],
            results.Hits[0].Highlights);
        Assert.Equal([new Highlight(SearchFields.Text, "phối hợp <em>chỉnh lý</em> tài liệu")], results.Hits[1].Highlights);

        Assert.Equal([new FacetValue("000.00.00.H30", 5), new FacetValue("000.00.00.G09", 3)], results.Facets[SearchFields.Agency]);
        Assert.Equal([new FacetValue("2024", 2)], results.Facets[SearchFields.Year]);
        Assert.Empty(results.Facets["tag.unit"]);

        var cursor = SearchCursor.TryDecode(results.NextCursor!);
        Assert.NotNull(cursor);
        Assert.Equal(2.0, cursor.Score);
        Assert.Equal("b", cursor.Id);
    }

    [Fact]
    public async Task The_last_page_has_no_cursor_and_date_sorts_page_by_epoch_milliseconds()
    {
        var s = new Scenario { SearchResponse = Response(2, withSort: true) };
        Assert.Null((await s.Index.SearchAsync(new SearchRequest { PageSize = 2 }, Ct)).NextCursor);

        var missing = long.MinValue; // what Elasticsearch returns for an undated document sorted "missing": "_last" descending
        s.SearchResponse = Response(3, withSort: true, sort: i => i switch { 0 => "[1709164800000,\"a\"]", 1 => $"[{missing},\"b\"]", _ => $"[{missing},\"c\"]" });
        var byDate = new SearchRequest { PageSize = 2, Sort = SearchSort.DateDescending, Highlight = true, Query = "giao" };
        var first = await s.Index.SearchAsync(byDate, Ct);
        Assert.All(first.Hits, h => Assert.Equal(0, h.Score));
        await s.Index.SearchAsync(byDate with { Cursor = first.NextCursor }, Ct);
        JsonAssert.Equivalent($"[{missing}, \"b\"]", s.Cluster.Sent("POST", "/archive-test/_search").Last().Json!["search_after"]);
    }

    [Fact]
    public async Task Read_your_writes_refreshes_only_after_writes()
    {
        var s = new Scenario();
        var ryw = new SearchRequest { Consistency = SearchConsistency.ReadYourWrites };
        await s.Index.SearchAsync(ryw, Ct);
        await s.Index.IndexAsync([new SearchDocument { Id = "a" }], Ct);
        await s.Index.SearchAsync(new SearchRequest(), Ct); // eventual: no barrier
        await s.Index.SearchAsync(ryw, Ct);
        await s.Index.SearchAsync(ryw, Ct);
        await s.Index.DeleteAsync(["a"], Ct);
        await s.Index.SearchAsync(ryw, Ct);

        Assert.Equal(
            ["POST /_security/user/_has_privileges", "HEAD /_alias/archive-test", "GET /archive-test-rb-%2A", "POST /archive-test/_search", "GET /_alias/archive-test-rebuild-%2A", "POST /_bulk", "POST /archive-test/_search",
             "POST /archive-test/_refresh", "POST /archive-test/_search", "POST /archive-test/_search", "POST /_bulk", "POST /archive-test/_refresh", "POST /archive-test/_search"],
            s.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public async Task Bad_requests_are_rejected_before_anything_is_sent()
    {
        var s = new Scenario();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.SearchAsync(new SearchRequest
        {
            PageSize = 0,
            Query = new string('a', 5000),
            Filters = [new TermsFilter("title", ["x"]), new TermsFilter(SearchFields.Year, ["20x4"]), new YearRangeFilter(2022, 2020), new DateRangeFilter(new DateOnly(2020, 2, 1), new DateOnly(2020, 1, 1))],
            Facets = ["nope"],
            Cursor = "not a cursor",
        }, Ct).AsTask());
        Assert.Equal(
            ["pageSize search.page-size.range", "query search.query.too-long", "facets[0] search.facet.field-unknown", "filters[0].field search.filter.field-unknown",
             "filters[1].values[0] search.filter.value-invalid", "filters[2] search.filter.range-inverted", "filters[3] search.filter.range-inverted", "cursor search.cursor.malformed"],
            e.Errors.Select(x => $"{x.Field} {x.Rule}"));
        Assert.Empty(s.Requests);
    }

    /// <summary>A search response of <paramref name="count"/> hits (paged, vb-002, hs-001) with highlights, inner hits and aggregations.</summary>
    internal static JsonNode Response(int count, bool withSort, Func<int, string>? sort = null)
    {
        string[] ids = ["paged", "vb-002", "hs-001"];
        double[] scores = [2.5, 2.0, 1.5];
        var hits = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var source = JsonNode.Parse(new EsDocument(SearchFixtures.Get(ids[i])).Json.Span)!.AsObject();
            source.Remove("meta"); // excluded from _source by the mapping
            source.Remove("body");
            var hit = new JsonObject
            {
                ["_index"] = "archive-test-initial",
                ["_id"] = ids[i],
                ["_score"] = scores[i],
                ["_source"] = source,
            };
            if (withSort)
            {
                hit["sort"] = JsonNode.Parse(sort?.Invoke(i) ?? $"[{scores[i]:0.0},\"{(char)('a' + i)}\"]");
            }

            if (i == 0)
            {
                hit["highlight"] = JsonNode.Parse("""{"title.f":["Biên bản <em>giao</em> nhận tài liệu"]}""");
                hit["inner_hits"] = JsonNode.Parse("""
                    {"pages":{"hits":{"total":{"value":2,"relation":"eq"},"max_score":1.5,"hits":[
                      {"_index":"archive-test-initial","_id":"paged","_nested":{"field":"pages","offset":1},"_score":1.5,
                       "highlight":{"pages.text":["Trang hai: bên <em>giao</em> bàn <em>giao</em> phông"]}},
                      {"_index":"archive-test-initial","_id":"paged","_nested":{"field":"pages","offset":0},"_score":1.1,
                       "highlight":{"pages.text":["hai bên <em>giao</em> và bên nhận."]}}]}}}
                    """);
            }

            if (i == 1)
            {
                hit["highlight"] = JsonNode.Parse("""{"text":["phối hợp <em>chỉnh lý</em> tài liệu"]}""");
                hit["inner_hits"] = JsonNode.Parse("""{"pages":{"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]}}}""");
            }

            hits.Add(hit);
        }

        return new JsonObject
        {
            ["took"] = 4,
            ["timed_out"] = false,
            ["_shards"] = new JsonObject { ["total"] = 1, ["successful"] = 1, ["skipped"] = 0, ["failed"] = 0 },
            ["hits"] = new JsonObject { ["total"] = new JsonObject { ["value"] = 42, ["relation"] = "eq" }, ["max_score"] = 2.5, ["hits"] = hits },
            ["aggregations"] = JsonNode.Parse("""
                {"sterms#facet0":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"000.00.00.H30","doc_count":5},{"key":"000.00.00.G09","doc_count":3}]},
                 "sterms#facet1":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"2024","doc_count":2}]},
                 "sterms#facet2":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[]}}
                """),
        };
    }
}
