using System.Diagnostics;
using System.Globalization;
using Archive.Search.Elastic.Internal;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;

namespace Archive.Search.Elastic;

/// <summary>Rebuilds shared by several hosts: discovery of open rebuilds, their leases, and removal of abandoned ones.</summary>
public sealed partial class ElasticsearchSearchIndex
{
    private readonly Lock _discoveryLock = new();
    private (long At, IReadOnlyList<string> Aliases)? _discovered;

    /// <summary>
    /// How long the list of rebuild write aliases found in the cluster is reused before a write looks again (5 s). A new
    /// rebuild waits <see cref="RebuildFence"/> before loading, so every host's writes that could have missed it were
    /// committed to storage before the loader starts reading.
    /// </summary>
    internal TimeSpan RebuildDiscoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a new rebuild waits before it is handed to the loader: twice the discovery interval (10 s).</summary>
    internal TimeSpan RebuildFence { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a rebuild's lease runs (5 min); the holder renews it every <see cref="LeaseRenewal"/>.</summary>
    internal TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often an open rebuild renews its lease (1 min).</summary>
    internal TimeSpan LeaseRenewal { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock of leases (tests move it).</summary>
    internal TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Who holds a lease taken by this process: machine and process id (for the operator reading <c>_meta</c>).</summary>
    internal static string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    internal RebuildLease NewLease() => new(Holder, Time.GetUtcNow() + LeaseDuration);

    /// <summary>
    /// The write aliases a live write is copied into: every rebuild write alias in the cluster (<c>ALIAS-rebuild-*</c>,
    /// whoever opened it, looked up at most every <see cref="RebuildDiscoveryInterval"/>) and those opened here; each
    /// with this process's rebuild object when it has one (to keep its count).
    /// </summary>
    private async Task<List<(string WriteAlias, ElasticsearchIndexRebuild? Rebuild)>> MirrorTargetsAsync(CancellationToken cancellationToken)
    {
        var discovered = await DiscoverRebuildAliasesAsync(cancellationToken).ConfigureAwait(false);
        var local = Mirrors();
        var targets = local.Select(r => (r.WriteAlias, (ElasticsearchIndexRebuild?)r)).ToList();
        targets.AddRange(discovered.Where(a => local.All(r => r.WriteAlias != a)).Select(a => (a, (ElasticsearchIndexRebuild?)null)));
        return targets;
    }

    private async Task<IReadOnlyList<string>> DiscoverRebuildAliasesAsync(CancellationToken cancellationToken)
    {
        lock (_discoveryLock)
        {
            if (_discovered is { } d && Stopwatch.GetElapsedTime(d.At) < RebuildDiscoveryInterval)
            {
                return d.Aliases;
            }
        }

        var prefix = Alias + "-rebuild-";
        var response = await Call(() => _client.Indices.GetAliasAsync(new GetAliasRequest((Names)(prefix + "*")), cancellationToken), "index").ConfigureAwait(false);
        IReadOnlyList<string> aliases;
        if (Errors.Status(response) == 404)
        {
            aliases = [];
        }
        else if (!Errors.Ok(response))
        {
            throw Errors.From(response, prefix + "*", "index");
        }
        else
        {
            aliases = (response.Aliases ?? new Dictionary<string, IndexAliases>()).Values
                .SelectMany(i => i.Aliases?.Keys ?? Enumerable.Empty<string>())
                .Where(a => a.StartsWith(prefix, StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }

        lock (_discoveryLock)
        {
            _discovered = (Stopwatch.GetTimestamp(), aliases);
        }

        return aliases;
    }

    /// <summary>Forgets the discovered rebuilds (one was committed, discarded or deleted): the next write looks again.</summary>
    private void ForgetDiscovered()
    {
        lock (_discoveryLock)
        {
            _discovered = null;
        }
    }

    /// <summary>Writes the rebuild's lease again (its whole <c>_meta</c>), until <see cref="LeaseDuration"/> from now.</summary>
    internal async Task RenewLeaseAsync(ElasticsearchIndexRebuild rebuild, CancellationToken cancellationToken)
    {
        var request = new PutMappingRequest(rebuild.Index) { Meta = IndexDefinition.Meta(Alias, rebuild.RebuildId, NewLease()) };
        var response = await Call(() => _client.Indices.PutMappingAsync(request, cancellationToken), "rebuild-lease").ConfigureAwait(false);
        if (!Errors.Ok(response))
        {
            throw Errors.From(response, rebuild.Index, "rebuild-lease");
        }
    }

    /// <summary>
    /// Deletes rebuild indices a crashed or stopped host left behind: an <c>ALIAS-rb-*</c> index that is not behind the
    /// alias and whose lease ran out more than <see cref="ElasticsearchSearchOptions.AbandonedRebuildRetention"/> ago.
    /// A rebuild another live host is running renews its lease, so it is never deleted; an index without a lease
    /// (made by an adapter before leases) is left alone. Failures are logged, never thrown: a leftover only costs space
    /// and mirrored writes until the next attempt.
    /// </summary>
    internal async Task CleanUpAbandonedRebuildsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pattern = Alias + "-rb-*";
            var response = await Call(() => _client.Indices.GetAsync(new GetIndexRequest(pattern) { AllowNoIndices = true, IgnoreUnavailable = true, Features = [Feature.Aliases, Feature.Mappings] }, cancellationToken), "rebuild-cleanup").ConfigureAwait(false);
            if (Errors.Status(response) == 404)
            {
                return;
            }

            if (!Errors.Ok(response))
            {
                throw Errors.From(response, pattern, "rebuild-cleanup");
            }

            var now = Time.GetUtcNow();
            var open = Mirrors().Select(r => r.Index).ToHashSet(StringComparer.Ordinal);
            foreach (var (index, state) in response.Indices ?? new Dictionary<string, IndexState>())
            {
                if (!index.StartsWith(Alias + "-rb-", StringComparison.Ordinal) || open.Contains(index) || (state.Aliases?.ContainsKey(Alias) ?? false))
                {
                    continue;
                }

                var lease = ArchiveMeta(state.Mappings?.Meta) is { } meta ? RebuildLease.From(meta) : null;
                if (lease is null || lease.Until + _options.AbandonedRebuildRetention > now)
                {
                    continue;
                }

                var deleted = await Call(() => _client.Indices.DeleteAsync(new DeleteIndexRequest(index), cancellationToken), "rebuild-cleanup").ConfigureAwait(false);
                if (!Errors.Ok(deleted) && Errors.Status(deleted) != 404)
                {
                    throw Errors.From(deleted, index, "rebuild-cleanup");
                }

                ForgetDiscovered();
                Log.AbandonedRebuildDeleted(_logger, index, lease.Holder, lease.Until);
            }
        }
        catch (ArchiveSearchException e)
        {
            Log.RebuildCleanupFailed(_logger, e);
        }
    }

    /// <summary>The <c>_meta.archive</c> object of a mapping, as JSON.</summary>
    internal static System.Text.Json.JsonElement? ArchiveMeta(IDictionary<string, object>? meta)
    {
        if (meta is null || !meta.TryGetValue("archive", out var archive))
        {
            return null;
        }

        return archive switch
        {
            System.Text.Json.JsonElement e => e,
            _ => System.Text.Json.JsonSerializer.SerializeToElement(archive),
        };
    }
}
