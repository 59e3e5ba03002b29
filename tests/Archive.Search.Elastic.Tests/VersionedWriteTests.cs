using System.Text.Json.Nodes;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// Writes of several hosts to one document are ordered by <see cref="SearchDocument.Version"/> (issue #20): sent as
/// <c>version</c> + <c>version_type=external_gte</c>, so an older projection never replaces a newer one whatever order
/// the writes arrive in, the 409 of a late older write is not an error, and deletes and rebuild loads follow the same
/// rule.
/// </summary>
public class VersionedWriteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SearchDocument Doc(string id, long? version, string? title = null)
        => new() { Id = id, Title = title ?? $"{id} v{version}", Version = version };

    private static JsonNode Action(RecordedRequest bulk, int line = 0) => bulk.NdJson[line]!;

    [Fact]
    public async Task A_versioned_live_write_sends_its_version_as_external_gte_and_keeps_it_in_the_stored_document()
    {
        var s = new Scenario();
        await s.Index.IndexAsync([Doc("x", 5, "Hồ sơ x")], Ct);

        var bulk = s.Cluster.Sent("POST", "/_bulk").Single();
        JsonAssert.Equivalent("""{"index":{"_index":"archive-test","_id":"x","version":5,"version_type":"external_gte"}}""", Action(bulk));
        Assert.Equal(5, bulk.NdJson[1]!["src"]!["version"]!.GetValue<long>());

        // Read back from _source with its version.
        var stored = Internal.EsDocumentConverter.FromSource(System.Text.Json.JsonDocument.Parse(bulk.NdJson[1]!.ToJsonString()).RootElement);
        Assert.Equal(5, stored.Version);

        // Without a version: as before (internal versioning, nothing stored).
        await s.Index.IndexAsync([Doc("y", null)], Ct);
        var unversioned = s.Cluster.Sent("POST", "/_bulk").Last();
        JsonAssert.Equivalent("""{"index":{"_index":"archive-test","_id":"y"}}""", Action(unversioned));
        Assert.Null(unversioned.NdJson[1]!["src"]!["version"]);
    }

    [Fact]
    public async Task A_late_older_live_write_answered_409_is_not_an_error_and_is_not_retried()
    {
        var s = new Scenario();
        s.Overrides.Insert(0, r => r.Path == "/_bulk" ? CannedResponse.Json(200, Scenario.BulkItems(r, n => n == 0 ? ErrorBodies.VersionConflictItem("archive-test-initial", "x") : null)) : null);

        await s.Index.IndexAsync([Doc("x", 5), Doc("z", 2)], Ct);
        Assert.Single(s.Cluster.Sent("POST", "/_bulk"));

        // The same answer to a write without a version is still a failure (nothing orders it).
        await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.IndexAsync([Doc("x", null)], Ct).AsTask());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_hosts_writing_v5_and_v6_in_either_order_end_with_v6(bool newerFirst)
    {
        var (s, cluster) = SharedCluster.Create();
        var hostA = s.Index;
        var hostB = s.NewHost();
        var v5 = Doc("x", 5);
        var v6 = Doc("x", 6);

        if (newerFirst)
        {
            await hostB.IndexAsync([v6], Ct);
            await hostA.IndexAsync([v5], Ct); // late: refused, not an error
        }
        else
        {
            await hostA.IndexAsync([v5], Ct);
            await hostB.IndexAsync([v6], Ct);
        }

        Assert.Equal((6L, "x v6"), cluster.Documents[(cluster.LiveIndex, "x")]);

        // Rewriting the same version is idempotent.
        await hostA.IndexAsync([v6 with { Title = "x v6 again" }], Ct);
        Assert.Equal((6L, "x v6 again"), cluster.Documents[(cluster.LiveIndex, "x")]);
    }

    [Fact]
    public async Task A_rebuild_loads_with_the_real_version_so_the_new_index_keeps_ordering_writes_after_the_commit()
    {
        var (s, cluster) = SharedCluster.Create();
        var hostA = s.Index;
        var hostB = s.NewHost();
        var rebuild = await hostA.OpenRebuildAsync("r1", Ct);
        var rebuildIndex = cluster.RebuildAliases[hostA.RebuildAlias("r1")];

        // Host B's live v6 is copied into the rebuild; the loader's v5, read from storage before, does not replace it.
        await hostB.IndexAsync([Doc("x", 6)], Ct);
        await rebuild.IndexAsync([Doc("x", 5), Doc("y", 3)], Ct);
        var load = s.Cluster.Sent("POST", "/_bulk").Last();
        JsonAssert.Equivalent(
            new JsonObject { ["index"] = new JsonObject { ["_index"] = hostA.RebuildAlias("r1"), ["_id"] = "x", ["version"] = 5, ["version_type"] = "external_gte" } }.ToJsonString(),
            Action(load));
        Assert.Equal((6L, "x v6"), cluster.Documents[(rebuildIndex, "x")]);
        Assert.Equal((3L, "y v3"), cluster.Documents[(rebuildIndex, "y")]);

        // After the commit, a late live write of an older version than the loaded one is refused in the new index.
        await rebuild.CommitAsync(Ct);
        await hostB.IndexAsync([Doc("y", 2)], Ct);
        Assert.Equal((3L, "y v3"), cluster.Documents[(rebuildIndex, "y")]);
    }

    [Fact]
    public async Task A_versioned_delete_is_the_next_version_and_keeps_late_writes_and_loads_of_the_deleted_versions_out()
    {
        var (s, cluster) = SharedCluster.Create();
        var hostA = s.Index;
        var hostB = s.NewHost();
        await hostA.IndexAsync([Doc("x", 4)], Ct);
        var rebuild = await hostA.OpenRebuildAsync("r1", Ct);
        var rebuildIndex = cluster.RebuildAliases[hostA.RebuildAlias("r1")];

        await hostB.DeleteAsync(["x"], 4, Ct);
        var delete = s.Cluster.Sent("POST", "/_bulk").Last();
        JsonAssert.Equivalent("""{"delete":{"_index":"archive-test","_id":"x","version":5,"version_type":"external_gte"}}""", Action(delete));
        Assert.Equal((5L, null), cluster.Documents[(cluster.LiveIndex, "x")]);
        Assert.Equal((5L, null), cluster.Documents[(rebuildIndex, "x")]); // the rebuild never had x: the tombstone is there anyway

        // Another host's late write of the deleted version, and the loader's copy read before the delete: refused.
        await hostA.IndexAsync([Doc("x", 4, "late")], Ct);
        await rebuild.IndexAsync([Doc("x", 4, "loaded")], Ct);
        Assert.Null(cluster.Documents[(cluster.LiveIndex, "x")].Title);
        Assert.Null(cluster.Documents[(rebuildIndex, "x")].Title);
    }

    [Fact]
    public async Task A_delete_refused_because_a_newer_version_is_indexed_fails()
    {
        var (s, cluster) = SharedCluster.Create();
        await s.Index.IndexAsync([Doc("x", 9)], Ct);
        await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.DeleteAsync(["x"], 4, Ct).AsTask());
        Assert.Equal((9L, "x v9"), cluster.Documents[(cluster.LiveIndex, "x")]);
    }
}
