using System.Text.Json.Nodes;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>Zero-downtime rebuilds: a new index behind its own write alias, mirrored writes, the atomic alias switch.</summary>
public class RebuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string LiveAliasBody = """{"archive-test-initial":{"aliases":{"archive-test":{"is_write_index":true}}}}""";

    private static Scenario NewScenario(string? existingRebuildIndex = null, long existingCount = 0)
    {
        var s = new Scenario();
        s.Index.RetiredIndexGrace = TimeSpan.Zero;
        s.Overrides.Add(r =>
        {
            if (r.Method == "GET" && r.Path == "/_alias/archive-test")
            {
                return CannedResponse.Ok(LiveAliasBody);
            }

            if (r.Method == "GET" && r.Path.StartsWith("/_alias/archive-test-rebuild-", StringComparison.Ordinal) && !r.Path.Contains("%2A", StringComparison.Ordinal))
            {
                var alias = r.Path["/_alias/".Length..];
                return existingRebuildIndex is null
                    ? new CannedResponse(404, $$"""{"error":"alias [{{alias}}] missing","status":404}""")
                    : CannedResponse.Ok("{\"" + existingRebuildIndex + "\":{\"aliases\":{\"" + alias + "\":{\"is_write_index\":true}}}}");
            }

            if (r.Path.EndsWith("/_count", StringComparison.Ordinal))
            {
                return CannedResponse.Ok($$$"""{"count":{{{existingCount}}},"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}""");
            }

            if (r.Method == "PUT" && r.Path.EndsWith("/_settings", StringComparison.Ordinal) || r.Method == "POST" && r.Path == "/_aliases" || r.Method == "DELETE")
            {
                return CannedResponse.Ok("""{"acknowledged":true}""");
            }

            return null;
        });
        return s;
    }

    [Fact]
    public async Task Opening_creates_a_bulk_loading_index_behind_a_write_alias_derived_from_the_id()
    {
        var s = NewScenario();
        await using var rebuild = await s.Index.OpenRebuildAsync("Full 2025/06", Ct);
        Assert.Equal(0, rebuild.DocumentCount);

        var alias = s.Index.RebuildAlias("Full 2025/06");
        Assert.Matches("^archive-test-rebuild-full_2025_06-[0-9a-f]{12}$", alias);
        Assert.NotEqual(alias, s.Index.RebuildAlias("full 2025/06")); // ids differing only in case stay apart
        var put = s.Requests.Single(r => r.Method == "PUT");
        Assert.Matches("^/archive-test-rb-full_2025_06-[0-9a-f]{12}-[0-9]{17}$", put.Path);

        var body = put.Json!;
        JsonAssert.Equivalent($$"""{ "{{alias}}": { "is_write_index": true } }""", body["aliases"]);
        var lease = body["mappings"]!["_meta"]!["archive"]!.AsObject()["lease"]!;
        Assert.Equal(ElasticsearchSearchIndex.Holder, lease["holder"]!.GetValue<string>());
        Assert.InRange(DateTimeOffset.Parse(lease["until"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));
        body["mappings"]!["_meta"]!["archive"]!.AsObject().Remove("lease");
        JsonAssert.Equivalent("""{ "archive": { "schema": 2, "alias": "archive-test", "rebuildId": "Full 2025/06" } }""", body["mappings"]!["_meta"]);
        Assert.Equal("-1", body["settings"]!["refresh_interval"]!.ToJsonString().Trim('"')); // "-1" or -1: settings are strings to Elasticsearch
        Assert.Equal(0, body["settings"]!["number_of_replicas"]!.GetValue<int>());

        // The rest is the live index's definition.
        var initial = AnalysisTests.CreateIndexBody().AsObject();
        foreach (var name in new[] { "properties", "_source", "dynamic" })
        {
            JsonAssert.Equivalent(initial["mappings"]![name], body["mappings"]![name]);
        }

        JsonAssert.Equivalent(initial["settings"]!["analysis"], body["settings"]!["analysis"]);
    }

    [Fact]
    public async Task Rebuild_writes_go_through_its_alias_and_count_new_documents()
    {
        var s = NewScenario();
        await using var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        s.Overrides.Insert(0, r => r.Path == "/_bulk" && r.NdJson.Count == 4 && r.NdJson[0]!["index"]!["_id"]!.GetValue<string>() == "b"
            ? CannedResponse.Json(200, Scenario.BulkItems(r, n => n == 0 ? JsonNode.Parse("""{"_index":"x","_id":"b","_version":2,"result":"updated","status":200}""")!.AsObject() : null))
            : null);

        await rebuild.IndexAsync([new SearchDocument { Id = "a" }, new SearchDocument { Id = "b" }], Ct);
        Assert.Equal(2, rebuild.DocumentCount);
        await rebuild.IndexAsync([new SearchDocument { Id = "b" }, new SearchDocument { Id = "c" }], Ct); // b is an update
        Assert.Equal(3, rebuild.DocumentCount);

        var bulk = s.Cluster.Sent("POST", "/_bulk")[0];
        Assert.Equal("require_alias=true", bulk.Query);
        Assert.Equal(s.Index.RebuildAlias("r1"), bulk.NdJson[0]!["index"]!["_index"]!.GetValue<string>());
    }

    [Fact]
    public async Task Live_writes_are_mirrored_into_an_open_rebuild()
    {
        var s = NewScenario();
        var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        await s.Index.IndexAsync([new SearchDocument { Id = "live" }], Ct);
        Assert.Equal(1, rebuild.DocumentCount);
        await s.Index.DeleteAsync(["live"], Ct);
        Assert.Equal(0, rebuild.DocumentCount);

        var bulks = s.Cluster.Sent("POST", "/_bulk");
        Assert.Equal(["archive-test", s.Index.RebuildAlias("r1")], bulks[0].NdJson.Where((_, i) => i % 2 == 0).Select(l => l!["index"]!["_index"]!.GetValue<string>()));
        Assert.Equal(["archive-test", s.Index.RebuildAlias("r1")], bulks[1].NdJson.Select(l => l!["delete"]!["_index"]!.GetValue<string>()));

        // Closed without commit: no longer mirrored (and resumable).
        await rebuild.DisposeAsync();
        await s.Index.IndexAsync([new SearchDocument { Id = "after" }], Ct);
        Assert.Equal(2, s.Cluster.Sent("POST", "/_bulk").Last().NdJson.Count);
    }

    [Fact]
    public async Task Commit_restores_settings_refreshes_switches_the_alias_atomically_then_drops_the_old_index()
    {
        var s = NewScenario();
        var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        var index = s.Requests.Single(r => r.Method == "PUT").Path.TrimStart('/');
        var before = s.Requests.Count;
        await rebuild.CommitAsync(Ct);

        var commit = s.Requests.Skip(before).ToList();
        Assert.Equal([$"PUT /{index}/_settings", $"POST /{index}/_refresh", "GET /_alias/archive-test", "POST /_aliases", "DELETE /archive-test-initial"], commit.Select(r => r.ToString()));
        JsonAssert.Equivalent("""{ "refresh_interval": "1s", "number_of_replicas": 1 }""", commit[0].Json);
        JsonAssert.Equivalent($$"""
            { "actions": [
                { "remove": { "index": "archive-test-initial", "alias": "archive-test", "must_exist": true } },
                { "add": { "index": "{{index}}", "alias": "archive-test", "is_write_index": true } },
                { "remove": { "index": "{{index}}", "alias": "{{s.Index.RebuildAlias("r1")}}", "must_exist": true } } ] }
            """, commit[3].Json);

        await Assert.ThrowsAsync<InvalidOperationException>(() => rebuild.IndexAsync([new SearchDocument { Id = "x" }], Ct).AsTask());
        await s.Index.IndexAsync([new SearchDocument { Id = "after" }], Ct); // no longer mirrored
        Assert.Equal(2, s.Cluster.Sent("POST", "/_bulk").Last().NdJson.Count);
    }

    [Fact]
    public async Task Reopening_an_unfinished_rebuild_resumes_its_index_and_count()
    {
        var s = NewScenario(existingRebuildIndex: "archive-test-rb-r1-0123456789ab-20250601120000000", existingCount: 2);
        await using var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        Assert.Equal(2, rebuild.DocumentCount);
        Assert.DoesNotContain(s.Requests, r => r.Method == "PUT" && !r.Path.EndsWith("/_mapping", StringComparison.Ordinal)); // no new index
        Assert.Equal(
            ["POST /_security/user/_has_privileges", "HEAD /_alias/archive-test", "GET /archive-test-rb-%2A", "GET /archive-test-rb-%2A", $"GET /_alias/{s.Index.RebuildAlias("r1")}",
             "POST /archive-test-rb-r1-0123456789ab-20250601120000000/_refresh", "POST /archive-test-rb-r1-0123456789ab-20250601120000000/_count",
             "PUT /archive-test-rb-r1-0123456789ab-20250601120000000/_mapping"],
            s.Requests.Select(r => r.ToString()));

        // Resuming takes the lease over: the whole _meta again, with this host and a fresh expiry.
        var meta = s.Requests.Last().Json!["_meta"]!["archive"]!;
        Assert.Equal("r1", meta["rebuildId"]!.GetValue<string>());
        Assert.Equal(2, meta["schema"]!.GetValue<int>());
        Assert.Equal(ElasticsearchSearchIndex.Holder, meta["lease"]!["holder"]!.GetValue<string>());
        Assert.InRange(DateTimeOffset.Parse(meta["lease"]!["until"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));

        await Assert.ThrowsAsync<InvalidOperationException>(() => s.Index.OpenRebuildAsync("r1", Ct).AsTask());
    }

    [Fact]
    public async Task Discard_deletes_the_rebuilt_index_and_leaves_the_live_one()
    {
        var s = NewScenario();
        var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        var index = s.Requests.Single(r => r.Method == "PUT").Path;
        await rebuild.DiscardAsync(Ct);
        Assert.Equal($"DELETE {index}", s.Requests.Last().ToString());
        Assert.DoesNotContain(s.Requests, r => r.Path == "/_aliases");
        await Assert.ThrowsAsync<InvalidOperationException>(() => rebuild.CommitAsync(Ct).AsTask());
    }

    [Fact]
    public async Task A_concurrent_switch_fails_the_commit_instead_of_leaving_two_indices_behind_the_alias()
    {
        var s = NewScenario();
        var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        s.Overrides.Insert(0, r => r.Path == "/_aliases"
            ? CannedResponse.Json(404, JsonNode.Parse("""
                {"error":{"root_cause":[{"type":"aliases_not_found_exception","reason":"aliases [archive-test] missing","resource.type":"aliases","resource.id":"archive-test"}],
                          "type":"aliases_not_found_exception","reason":"aliases [archive-test] missing","resource.type":"aliases","resource.id":"archive-test"},"status":404}
                """)!)
            : null);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => rebuild.CommitAsync(Ct).AsTask());
        Assert.Equal("rebuild-commit", e.Operation);
        Assert.Contains("aliases_not_found_exception", e.Message);
        Assert.DoesNotContain(s.Requests, r => r.Method == "DELETE");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a\nb")]
    public async Task Invalid_rebuild_ids_are_rejected(string id)
    {
        var s = NewScenario();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.OpenRebuildAsync(id, Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "rebuildId" && x.Rule == "search.rebuild.id-invalid");
        Assert.Empty(s.Requests);
    }
}
