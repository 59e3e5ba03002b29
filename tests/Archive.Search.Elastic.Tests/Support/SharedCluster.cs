using System.Text.Json.Nodes;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>
/// A cluster that keeps what the tests look at: the rebuild write aliases (created with their index, removed by the
/// alias switch or an index delete), and per index the documents' versions and titles, with Elasticsearch's
/// version rules (internal: stored + 1; external_gte v: refused with 409 when the stored version is higher) and
/// <c>require_alias</c> (an action on a missing alias is refused with 404).
/// </summary>
internal sealed class SharedCluster
{
    public Dictionary<string, string> RebuildAliases { get; } = new(StringComparer.Ordinal); // alias → index
    public Dictionary<(string Index, string Id), (long Version, string? Title)> Documents { get; } = [];
    public string LiveIndex { get; set; } = "archive-test-initial";

    public CannedResponse? Answer(RecordedRequest r)
    {
        var path = Uri.UnescapeDataString(r.Path);
        lock (this)
        {
            if (r.Method == "GET" && path == "/_alias/archive-test")
            {
                return CannedResponse.Ok("{\"" + LiveIndex + "\":{\"aliases\":{\"archive-test\":{\"is_write_index\":true}}}}");
            }

            if (r.Method == "GET" && path == "/_alias/archive-test-rebuild-*")
            {
                var body = new JsonObject();
                foreach (var (alias, index) in RebuildAliases)
                {
                    body[index] = new JsonObject { ["aliases"] = new JsonObject { [alias] = new JsonObject { ["is_write_index"] = true } } };
                }

                return CannedResponse.Json(200, body);
            }

            if (r.Method == "GET" && path.StartsWith("/_alias/archive-test-rebuild-", StringComparison.Ordinal))
            {
                var alias = path["/_alias/".Length..];
                return RebuildAliases.TryGetValue(alias, out var index)
                    ? CannedResponse.Ok("{\"" + index + "\":{\"aliases\":{\"" + alias + "\":{\"is_write_index\":true}}}}")
                    : new CannedResponse(404, $$"""{"error":"alias [{{alias}}] missing","status":404}""");
            }

            if (r.Method == "PUT" && path.StartsWith("/archive-test-rb-", StringComparison.Ordinal) && !path.Contains("/_", StringComparison.Ordinal))
            {
                var index = path.TrimStart('/');
                foreach (var (alias, _) in r.Json!["aliases"]!.AsObject())
                {
                    RebuildAliases[alias] = index;
                }

                return CannedResponse.Ok($$"""{"acknowledged":true,"shards_acknowledged":true,"index":"{{index}}"}""");
            }

            if (r.Method == "POST" && path == "/_aliases")
            {
                foreach (var action in r.Json!["actions"]!.AsArray())
                {
                    if (action!["remove"] is { } remove && RebuildAliases.Remove(remove["alias"]!.GetValue<string>()))
                    {
                    }
                    else if (action["add"] is { } add && add["alias"]!.GetValue<string>() == "archive-test")
                    {
                        LiveIndex = add["index"]!.GetValue<string>();
                    }
                }

                return CannedResponse.Ok("""{"acknowledged":true}""");
            }

            if (r.Method == "POST" && path == "/_bulk")
            {
                return CannedResponse.Json(200, Bulk(r));
            }

            if (r.Path.EndsWith("/_count", StringComparison.Ordinal))
            {
                return CannedResponse.Ok("""{"count":0,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}""");
            }

            if (r.Method == "PUT" && path.EndsWith("/_settings", StringComparison.Ordinal) || r.Method == "DELETE")
            {
                return CannedResponse.Ok("""{"acknowledged":true}""");
            }

            return null;
        }
    }

    private JsonObject Bulk(RecordedRequest r)
    {
        var lines = r.NdJson;
        var items = new JsonArray();
        var errors = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var (op, meta) = (lines[i]!.AsObject().First().Key, lines[i]!.AsObject().First().Value!);
            var target = meta["_index"]!.GetValue<string>();
            var id = meta["_id"]!.GetValue<string>();
            var title = op == "index" ? lines[++i]!["title"]?.GetValue<string>() : null;
            string? index = target == "archive-test" ? LiveIndex : RebuildAliases.GetValueOrDefault(target);
            JsonObject item;
            if (index is null)
            {
                errors = true;
                item = new JsonObject
                {
                    ["_index"] = target, ["_id"] = id, ["status"] = 404,
                    ["error"] = new JsonObject
                    {
                        ["type"] = "index_not_found_exception",
                        ["reason"] = $"no such index [{target}] and [require_alias] request flag is [true] and [{target}] is not an alias",
                        ["resource.type"] = "index_or_alias", ["resource.id"] = target, ["index_uuid"] = "_na_", ["index"] = target,
                    },
                };
            }
            else
            {
                var exists = Documents.TryGetValue((index, id), out var stored);
                var external = meta["version_type"]?.GetValue<string>() == "external_gte";
                if (external && exists && stored.Version > meta["version"]!.GetValue<long>())
                {
                    errors = true;
                    item = ErrorBodies.VersionConflictItem(index, id);
                }
                else
                {
                    var version = external ? meta["version"]!.GetValue<long>() : stored.Version + 1;
                    Documents[(index, id)] = (version, op == "delete" ? null : title);
                    item = new JsonObject
                    {
                        ["_index"] = index, ["_id"] = id, ["_version"] = version, ["status"] = exists ? 200 : 201,
                        ["result"] = op == "delete" ? (exists ? "deleted" : "not_found") : exists ? "updated" : "created",
                    };
                }
            }

            items.Add(new JsonObject { [op] = item });
        }

        return new JsonObject { ["took"] = 1, ["errors"] = errors, ["items"] = items };
    }

    /// <summary>A scenario on alias <c>archive-test</c> answered by a new shared cluster.</summary>
    public static (Scenario Scenario, SharedCluster Cluster) Create()
    {
        var s = new Scenario(o => o.IndexAlias = "archive-test");
        var cluster = new SharedCluster();
        s.Overrides.Add(cluster.Answer);
        s.Index.RetiredIndexGrace = TimeSpan.Zero;
        return (s, cluster);
    }
}
