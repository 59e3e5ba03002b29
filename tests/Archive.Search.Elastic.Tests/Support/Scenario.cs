using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>An adapter over a <see cref="FakeCluster"/> that answers like a healthy cluster unless a test overrides a route.</summary>
public sealed class Scenario
{
    public const string Alias = "archive-test";

    public Scenario(Action<ElasticsearchSearchOptions>? configure = null)
    {
        Options = new ElasticsearchSearchOptions { IndexAlias = Alias, RetryDelay = TimeSpan.Zero };
        configure?.Invoke(Options);
        Cluster = new FakeCluster(Answer);
        Index = NewHost();
    }

    public ElasticsearchSearchOptions Options { get; }

    /// <summary>Another adapter on the same cluster: a second host (no rebuild fence, so tests do not wait).</summary>
    public ElasticsearchSearchIndex NewHost() => new(Cluster.Client(), Options, NullLogger<ElasticsearchSearchIndex>.Instance) { RebuildFence = TimeSpan.Zero };

    public FakeCluster Cluster { get; }

    public ElasticsearchSearchIndex Index { get; }

    /// <summary>Overrides: the first that returns an answer wins; otherwise the healthy default.</summary>
    public List<Func<RecordedRequest, CannedResponse?>> Overrides { get; } = [];

    /// <summary>The canned answer of searches.</summary>
    public JsonNode SearchResponse { get; set; } = EmptySearch();

    public bool AliasExists { get; set; } = true;

    public static JsonNode EmptySearch() => JsonNode.Parse("""
        {"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},
         "hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]}}
        """)!;

    public List<RecordedRequest> Requests => Cluster.Requests.ToList();

    /// <summary>A <c>_has_privileges</c> answer (Elasticsearch 9 shape) where only <paramref name="missing"/> is not granted.</summary>
    public static string Privileges(string? missing)
    {
        var cluster = new JsonObject { ["monitor"] = missing != "monitor" };
        var index = new JsonObject();
        foreach (var p in new[] { "create_index", "index", "delete", "read", "manage" })
        {
            index[p] = missing != p;
        }

        return new JsonObject
        {
            ["username"] = "archive",
            ["has_all_requested"] = missing is null,
            ["cluster"] = cluster,
            ["index"] = new JsonObject { [Alias + "*"] = index },
            ["application"] = new JsonObject(),
        }.ToJsonString();
    }

    private CannedResponse Answer(RecordedRequest r)
    {
        foreach (var o in Overrides)
        {
            if (o(r) is { } answer)
            {
                return answer;
            }
        }

        if (r.Method == "HEAD" && r.Path == $"/_alias/{Alias}")
        {
            return new CannedResponse(AliasExists ? 200 : 404);
        }

        if (r.Method == "PUT" && r.Path.StartsWith("/" + Alias, StringComparison.Ordinal) && !r.Path.Contains("/_", StringComparison.Ordinal))
        {
            var name = r.Path.TrimStart('/');
            return CannedResponse.Ok($$"""{"acknowledged":true,"shards_acknowledged":true,"index":"{{name}}"}""");
        }

        if (r.Path == "/_security/user/_has_privileges")
        {
            // A user with every privilege the adapter asks for.
            return CannedResponse.Ok(Privileges(missing: null));
        }

        if (r.Method == "GET" && Uri.UnescapeDataString(r.Path) == $"/_alias/{Alias}-rebuild-*")
        {
            // The rebuild write aliases every host lists before a live write: none unless a test says so.
            return CannedResponse.Ok("{}");
        }

        if (r.Method == "GET" && Uri.UnescapeDataString(r.Path) == $"/{Alias}-rb-*")
        {
            // Rebuild indices, looked at for abandoned ones at first use and before a rebuild: none.
            return CannedResponse.Ok("{}");
        }

        if (r.Method == "PUT" && r.Path.EndsWith("/_mapping", StringComparison.Ordinal))
        {
            return CannedResponse.Ok("""{"acknowledged":true}""");
        }

        if (r.Method == "POST" && r.Path == "/_bulk")
        {
            return CannedResponse.Json(200, BulkItems(r, _ => null));
        }

        if (r.Path.EndsWith("/_refresh", StringComparison.Ordinal))
        {
            return CannedResponse.Ok("""{"_shards":{"total":1,"successful":1,"failed":0}}""");
        }

        if (r.Path.EndsWith("/_search", StringComparison.Ordinal))
        {
            return CannedResponse.Json(200, SearchResponse);
        }

        return new CannedResponse(500, """{"error":{"root_cause":[],"type":"test_exception","reason":"no canned answer for this request"},"status":500}""");
    }

    /// <summary>A bulk response for the request's actions; <paramref name="fail"/> may return an item (with status) for an action number.</summary>
    public static JsonObject BulkItems(RecordedRequest r, Func<int, JsonObject?> fail)
    {
        var items = new JsonArray();
        var lines = r.NdJson;
        var n = 0;
        var errors = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var action = lines[i]!.AsObject().First();
            var meta = action.Value!.AsObject();
            var item = fail(n);
            if (item is not null)
            {
                errors |= item["error"] is not null;
            }
            else
            {
                item = action.Key == "delete"
                    ? new JsonObject { ["_index"] = meta["_index"]!.GetValue<string>(), ["_id"] = meta["_id"]!.GetValue<string>(), ["_version"] = 2, ["result"] = "deleted", ["status"] = 200, ["_seq_no"] = 5, ["_primary_term"] = 1, ["_shards"] = new JsonObject { ["total"] = 1, ["successful"] = 1, ["failed"] = 0 } }
                    : new JsonObject { ["_index"] = meta["_index"]!.GetValue<string>(), ["_id"] = meta["_id"]!.GetValue<string>(), ["_version"] = 1, ["result"] = "created", ["status"] = 201, ["_seq_no"] = 4, ["_primary_term"] = 1, ["_shards"] = new JsonObject { ["total"] = 1, ["successful"] = 1, ["failed"] = 0 } };
            }

            items.Add(new JsonObject { [action.Key] = item });
            if (action.Key != "delete")
            {
                i++; // the document line
            }

            n++;
        }

        return new JsonObject { ["took"] = 3, ["errors"] = errors, ["items"] = items };
    }
}
