using Archive.Search.Elastic.Internal;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>Queries that would exceed the cluster's clause limit are refused as bad requests, before and after sending.</summary>
public class QueryLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary><paramref name="n"/> different accented syllables (the accented fields are searched too: 12 clauses each, 13 with highlights).</summary>
    private static string Syllables(int n) => string.Join(' ', Enumerable.Range(0, n).Select(i => "hồ" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task The_clause_count_of_the_sent_query_decides_at_the_limit()
    {
        // 78 syllables × 13 clauses (4 folded + 4 accented + 4 bigram fields + the pages) = 1014 ≤ 1024: sent.
        var s = new Scenario();
        await s.Index.SearchAsync(new SearchRequest { Query = Syllables(78), Highlight = true }, Ct);
        var sent = Assert.Single(s.Cluster.Sent("POST", "/archive-test/_search"));
        Assert.Equal(1014, ClauseCounter.Count(sent.Json!["query"]));

        // 79 × 13 = 1027 > 1024: refused, nothing sent.
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.SearchAsync(new SearchRequest { Query = Syllables(79), Highlight = true }, Ct).AsTask());
        var error = Assert.Single(e.Errors);
        Assert.Equal(("query", "search.query.too-many-terms"), (error.Field, error.Rule));
        Assert.Contains("1027", error.Message);
        Assert.Contains("1024", error.Message);
        Assert.Single(s.Cluster.Sent("POST", "/archive-test/_search"));

        // Without highlights (no pages clause) 79 syllables are 948 clauses: sent.
        await s.Index.SearchAsync(new SearchRequest { Query = Syllables(79) }, Ct);
        Assert.Equal(2, s.Cluster.Sent("POST", "/archive-test/_search").Count);
    }

    [Fact]
    public async Task The_limit_is_an_option()
    {
        var s = new Scenario(o => o.MaxQueryClauses = 100);
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.SearchAsync(new SearchRequest { Query = Syllables(9) }, Ct).AsTask());
        Assert.Equal("search.query.too-many-terms", Assert.Single(e.Errors).Rule);
        Assert.Empty(s.Cluster.Sent("POST", "/archive-test/_search"));
    }

    [Theory]
    [InlineData("too_many_nested_clauses", "Query contains too many nested clauses; maxClauseCount is set to 512")]
    [InlineData("too_many_clauses", "maxClauseCount is set to 512")]
    public async Task A_query_the_cluster_refuses_for_its_clause_count_is_a_validation_error(string type, string reason)
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Path.EndsWith("/_search", StringComparison.Ordinal)
            ? CannedResponse.Json(400, ErrorBodies.SearchPhaseExecution("archive-test-initial", "failed to create query: " + reason, type, reason))
            : null);
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.SearchAsync(new SearchRequest { Query = Syllables(50) }, Ct).AsTask());
        var error = Assert.Single(e.Errors);
        Assert.Equal(("query", "search.query.too-many-terms"), (error.Field, error.Rule));
        Assert.Contains(type, error.Message);
    }

    [Theory]
    [InlineData("hồ sơ lưu trữ", 4)]
    [InlineData("Ho\u0302\u0300 so\u031B", 2)] // decomposed: the combining marks stay inside the syllable
    [InlineData("05/UBND-VP, 2024", 4)]
    [InlineData("  ", 0)]
    public void Tokens_are_counted_as_the_standard_tokenizer_cuts_them(string text, int tokens)
        => Assert.Equal(tokens, ClauseCounter.Tokens(text));

    [Fact]
    public void A_too_small_or_too_large_limit_is_refused_at_start_up()
    {
        var validator = new ElasticsearchSearchOptionsValidator();
        Assert.False(validator.Validate(null, new ElasticsearchSearchOptions { HostSuppliesClient = true, MaxQueryClauses = 10 }).Succeeded);
        Assert.True(validator.Validate(null, new ElasticsearchSearchOptions { HostSuppliesClient = true, MaxQueryClauses = 4096 }).Succeeded);
    }
}
