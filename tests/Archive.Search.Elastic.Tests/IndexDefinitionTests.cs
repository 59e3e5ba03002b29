using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Archive.Search.Elastic.Internal;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>The create-index requests the adapter sends, pinned (compared as parsed JSON).</summary>
public class IndexDefinitionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Settings and mappings with the three generated rule tables replaced by their size (pinned separately).</summary>
    private const string ExpectedInitial = """
    {
      "aliases": { "archive-test": { "is_write_index": true } },
      "settings": {
        "number_of_shards": 1,
        "mapping": { "nested_objects": { "limit": 10000 } },
        "similarity": { "default": { "type": "BM25", "k1": 1.2, "b": 0.75 } },
        "analysis": {
          "char_filter": {
            "archive_vi_nfc": { "type": "mapping", "mappings": 687 },
            "archive_vi_tone": { "type": "mapping", "mappings": 100 },
            "archive_vi_fold": { "type": "mapping", "mappings": 604 }
          },
          "filter": {
            "archive_vi_bigram": { "type": "shingle", "min_shingle_size": 2, "max_shingle_size": 2, "output_unigrams": false, "output_unigrams_if_no_shingles": false }
          },
          "analyzer": {
            "archive_vi": { "type": "custom", "tokenizer": "standard", "char_filter": ["archive_vi_nfc", "archive_vi_tone"], "filter": "lowercase", "position_increment_gap": 100 },
            "archive_vi_folded": { "type": "custom", "tokenizer": "standard", "char_filter": ["archive_vi_nfc", "archive_vi_tone", "archive_vi_fold"], "filter": "lowercase", "position_increment_gap": 100 },
            "archive_vi_bigrams": { "type": "custom", "tokenizer": "standard", "char_filter": ["archive_vi_nfc", "archive_vi_tone", "archive_vi_fold"], "filter": ["lowercase", "archive_vi_bigram"], "position_increment_gap": 100 }
          }
        }
      },
      "mappings": {
        "dynamic": "strict",
        "_meta": { "archive": { "schema": 2, "alias": "archive-test" } },
        "_source": { "excludes": ["meta", "body"] },
        "properties": {
          "id": { "type": "keyword" },
          "title": { "type": "text", "analyzer": "archive_vi", "position_increment_gap": 100, "fields": {
            "f": { "type": "text", "analyzer": "archive_vi_folded", "position_increment_gap": 100 },
            "s": { "type": "text", "analyzer": "archive_vi_bigrams", "position_increment_gap": 100 } } },
          "subject": { "type": "text", "analyzer": "archive_vi", "position_increment_gap": 100, "fields": {
            "f": { "type": "text", "analyzer": "archive_vi_folded", "position_increment_gap": 100 },
            "s": { "type": "text", "analyzer": "archive_vi_bigrams", "position_increment_gap": 100 } } },
          "meta": { "type": "text", "analyzer": "archive_vi", "position_increment_gap": 100, "fields": {
            "f": { "type": "text", "analyzer": "archive_vi_folded", "position_increment_gap": 100 },
            "s": { "type": "text", "analyzer": "archive_vi_bigrams", "position_increment_gap": 100 } } },
          "body": { "type": "text", "analyzer": "archive_vi", "position_increment_gap": 100, "fields": {
            "f": { "type": "text", "analyzer": "archive_vi_folded", "position_increment_gap": 100 },
            "s": { "type": "text", "analyzer": "archive_vi_bigrams", "position_increment_gap": 100 } } },
          "text": { "type": "text", "analyzer": "archive_vi_folded" },
          "pages": { "type": "nested", "properties": { "text": { "type": "text", "analyzer": "archive_vi_folded" } } },
          "date": { "type": "date", "format": "strict_date" },
          "f": { "type": "object", "properties": {
            "kind": { "type": "keyword" }, "parentId": { "type": "keyword" }, "agency": { "type": "keyword" },
            "fonds": { "type": "keyword" }, "fileCode": { "type": "keyword" }, "codeNumber": { "type": "keyword" },
            "type": { "type": "keyword" }, "issuingBody": { "type": "keyword" }, "retention": { "type": "keyword" },
            "access": { "type": "keyword" }, "status": { "type": "keyword" }, "year": { "type": "keyword" },
            "keyword": { "type": "keyword" }, "tag": { "type": "flattened" } } },
          "src": { "type": "object", "enabled": false }
        }
      }
    }
    """;

    [Fact]
    public async Task First_use_creates_the_initial_index_with_its_alias_settings_and_mapping()
    {
        var s = new Scenario { AliasExists = false };
        await s.Index.RefreshAsync(Ct);

        Assert.Equal(["POST /_security/user/_has_privileges", "HEAD /_alias/archive-test", "PUT /archive-test-initial", "POST /archive-test/_refresh"], s.Requests.Select(r => r.ToString()));
        var body = s.Requests[2].Json!;
        JsonAssert.Equivalent(ExpectedInitial, WithRuleCounts(body));
    }

    [Fact]
    public async Task Existing_alias_is_used_as_it_is()
    {
        var s = new Scenario();
        await s.Index.RefreshAsync(Ct);
        await s.Index.RefreshAsync(Ct);
        // At first use, abandoned rebuild indices are looked for once (none here).
        Assert.Equal(["POST /_security/user/_has_privileges", "HEAD /_alias/archive-test", "GET /archive-test-rb-%2A", "POST /archive-test/_refresh", "POST /archive-test/_refresh"], s.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public void Rule_tables_are_pinned()
    {
        // Any change to the analysis tables changes the terms an existing index holds: bump IndexDefinition.SchemaVersion.
        Assert.Equal("c889df47599d4b340c4a533168526cf41d5931789523efb53a2cbc8ed95397fa", Hash(VietnameseRules.CompositionRules));
        Assert.Equal("3fd631f179b50706b2029c742da178eb58bda84a035ccb852975c370367e779d", Hash(VietnameseRules.ToneRules));
        Assert.Equal("b53e829e46e78c77fae92522a0744ebf155f4d0e929623865e1b491a2a977653", Hash(VietnameseRules.FoldingRules));
        Assert.Contains("\\u00f2a => o\\u00e0", VietnameseRules.ToneRules); // hòa → hoà
        Assert.Contains("q\\u00f9y => q\\u00f9y", VietnameseRules.ToneRules); // qu + y keeps its spelling
        Assert.Contains("\\u0111 => d", VietnameseRules.FoldingRules); // đ → d (asciifolding does too; this table is the embedded engine's)
        Assert.Contains("\\u0110 => D", VietnameseRules.FoldingRules);
        Assert.Contains("\\u0300 => ", VietnameseRules.FoldingRules); // stray combining marks are dropped
        Assert.Contains("o\\u0302\\u0300 => \\u1ed3", VietnameseRules.CompositionRules); // o + ^ + ` → ồ
        Assert.Contains("\\u00f4\\u0300 => \\u1ed3", VietnameseRules.CompositionRules); // ô + ` → ồ
    }

    [Fact]
    public async Task Options_reach_the_settings()
    {
        var s = new Scenario(o =>
        {
            o.NumberOfShards = 3;
            o.NumberOfReplicas = 0;
            o.MaxPagesPerDocument = 50_000;
            o.Ranking.K1 = 1.5f;
            o.Ranking.B = 0.6f;
        })
        { AliasExists = false };
        await s.Index.RefreshAsync(Ct);
        var settings = s.Requests[2].Json!["settings"]!;
        Assert.Equal(3, settings["number_of_shards"]!.GetValue<int>());
        Assert.Equal(0, settings["number_of_replicas"]!.GetValue<int>());
        Assert.Equal(50_000, settings["mapping"]!["nested_objects"]!["limit"]!.GetValue<int>());
        JsonAssert.Equivalent("""{ "type": "BM25", "k1": 1.5, "b": 0.6 }""", settings["similarity"]!["default"]);
    }

    [Fact]
    public async Task A_concurrent_creator_is_not_an_error()
    {
        var s = new Scenario { AliasExists = false };
        var created = false;
        s.Overrides.Add(r =>
        {
            if (r.Method == "PUT" && r.Path == "/archive-test-initial")
            {
                created = true;
                return CannedResponse.Json(400, ErrorBodies.ResourceAlreadyExists("archive-test-initial"));
            }

            return r.Method == "HEAD" && created ? new CannedResponse(200) : null;
        });
        await s.Index.RefreshAsync(Ct);
        Assert.Equal(["POST /_security/user/_has_privileges", "HEAD /_alias/archive-test", "PUT /archive-test-initial", "HEAD /_alias/archive-test", "POST /archive-test/_refresh"], s.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public async Task An_index_left_without_its_alias_is_reported()
    {
        var s = new Scenario { AliasExists = false };
        s.Overrides.Add(r => r.Method == "PUT" ? CannedResponse.Json(400, ErrorBodies.ResourceAlreadyExists("archive-test-initial")) : null);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.RefreshAsync(Ct).AsTask());
        Assert.Equal("elasticsearch", e.System);
        Assert.Equal("archive-test", e.Index);
        Assert.Equal("open", e.Operation);
        Assert.Contains("archive-test-initial", e.Message);
        Assert.Contains("resource_already_exists_exception", e.InnerException!.Message);
    }

    internal static JsonNode WithRuleCounts(JsonNode body)
    {
        var copy = body.DeepClone();
        foreach (var (_, filter) in copy["settings"]!["analysis"]!["char_filter"]!.AsObject())
        {
            filter!["mappings"] = filter["mappings"]!.AsArray().Count;
        }

        return copy;
    }

    private static string Hash(IReadOnlyList<string> rules) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rules))));
}
