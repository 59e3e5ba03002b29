using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archive.Search.Elastic.Internal;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Transport;
using Elastic.Transport.Extensions;
using Elastic.Transport.Products.Elasticsearch;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using EsHealthStatus = Elastic.Clients.Elasticsearch.HealthStatus;
using Fields = Archive.Search.Elastic.Internal.Fields;
using SearchRequest = Archive.Search.SearchRequest;

namespace Archive.Search.Elastic;

/// <summary>
/// <see cref="ISearchIndex"/> on Elasticsearch 9: Vietnamese analysis equivalent to the embedded Lucene engine
/// (matching with or without diacritics, exact-accent matches first), facets, highlights with page numbers,
/// <c>search_after</c> paging, and zero-downtime rebuilds into a new index behind the alias.
/// </summary>
/// <remarks>
/// <para>Searches and writes go through the alias <see cref="ElasticsearchSearchOptions.IndexAlias"/>. On first use the
/// adapter creates <c>ALIAS-initial</c> with its own settings and mapping, atomically together with the alias.</para>
/// <para>Visibility: writes are acknowledged when Elasticsearch has them in its translog (durable) and become searchable
/// at the next refresh (every second by default). <see cref="RefreshAsync"/> always refreshes the alias; a search with
/// <see cref="SearchConsistency.ReadYourWrites"/> refreshes first when this instance has written since its last
/// refresh (writes are not sent with <c>refresh=wait_for</c>, which would slow every bulk request by up to the
/// refresh interval). Writes made by another process are covered by that process's own barrier or by
/// <see cref="RefreshAsync"/>.</para>
/// <para>Rebuilds with several hosts writing to one alias. A rebuild is an index <c>ALIAS-rb-…</c> behind its own write
/// alias <c>ALIAS-rebuild-…</c>, and that alias is the marker every host looks for: before a live write each host lists
/// <c>ALIAS-rebuild-*</c> (at most every 5 s) and sends each index or delete both through the search alias and through
/// every rebuild write alias, whoever opened the rebuild. A new rebuild waits twice that interval before
/// <see cref="OpenRebuildAsync"/> returns, so a write that did not see it was committed to storage before the loader
/// starts reading, and the loader's copy includes it. A live copy sent to a rebuild alias that no longer exists
/// (committed or discarded meanwhile; refused with 404 under <c>require_alias</c>) is not needed: after a commit the
/// write through the search alias reaches the new index.</para>
/// <para>Order of writes. A document with a <see cref="SearchDocument.Version"/> (Core sets the record file's package
/// version) is written with that version and <c>version_type=external_gte</c> everywhere: live, copied into a rebuild
/// and loaded by a rebuild. Elasticsearch applies such a write only when the stored copy's version is not higher, so an
/// older projection never replaces a newer one, whichever host sends it and in whatever order the writes arrive, and
/// the same version replaces (a rewrite is idempotent); HTTP 409 for such a write means a newer projection is already
/// there: not needed, not an error, not retried (logged at debug, event 4011). The same rule makes loads safe: a load
/// read from storage before a live write carries an older version and is refused, and the loaded documents keep their
/// versions after the commit, so a late older write is refused in the new index too.
/// <see cref="DeleteAsync(IReadOnlyCollection{string}, long, CancellationToken)"/> writes its tombstone as the version
/// after the deleted one, refusing late writes of the deleted versions while the index keeps it (<c>index.gc_deletes</c>).
/// Documents without a version are written as before: live writes with internal versioning (last writer wins), loads
/// with external version 0, so such a load replaces an earlier load but never a live write (internal versions are
/// ≥ 1). Mixing both for one document is not ordered: an unversioned write raises the stored version by one, which can
/// make a later versioned write of the next version look older; every host of one alias must therefore run an adapter
/// that sends versions and a Core that sets them. Indices written before versions were sent (mapping schema 1) hold
/// internal versions that count writes, not package versions, and could refuse newer projections: the health check
/// reports them as degraded until they are rebuilt.</para>
/// <para>Each rebuild index carries a lease in its mapping's <c>_meta.archive.lease</c> (holder, until), renewed every
/// minute while the rebuild is open in its process. At first use and before each rebuild, a host deletes
/// <c>ALIAS-rb-*</c> indices that are not behind the alias and whose lease ran out more than
/// <see cref="ElasticsearchSearchOptions.AbandonedRebuildRetention"/> ago (left by a crash or a stopped job); until
/// then such a rebuild stays resumable.</para>
/// </remarks>
public sealed partial class ElasticsearchSearchIndex : ISearchIndex, ISearchIndexRebuilder
{
    private readonly ElasticsearchClient _client;
    private readonly ElasticsearchSearchOptions _options;
    private readonly SearchDocumentLimits _documentLimits;
    private readonly ILogger _logger;
    private readonly QueryBuilder _queries;
    private readonly BulkWriter _bulk;
    private readonly Lock _stateLock = new();
    private readonly SemaphoreSlim _switchLock = new(1, 1);
    private Task? _ready;
    private List<ElasticsearchIndexRebuild> _rebuilds = [];
    private long _writeSeq;
    private long _refreshedSeq;

    /// <summary>Creates the adapter over <paramref name="client"/>.</summary>
    public ElasticsearchSearchIndex(ElasticsearchClient client, ElasticsearchSearchOptions options, ILogger<ElasticsearchSearchIndex>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var errors = ElasticsearchSearchOptionsValidator.Errors(options, hostSuppliesClient: true);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(ElasticsearchSearchOptions), typeof(ElasticsearchSearchOptions), errors);
        }

        _client = client;
        _options = options;
        _documentLimits = new SearchDocumentLimits
        {
            MaxIdBytes = 512, // Elasticsearch's own limit for _id (the embedded engine accepts 1024)
            MaxIdBytesSource = "Elasticsearch's limit",
            MaxPages = options.MaxPagesPerDocument,
            MaxPagesSource = "ElasticsearchSearchOptions.MaxPagesPerDocument",
        };
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queries = new QueryBuilder(options);
        _bulk = new BulkWriter(client, options, _logger);
        Alias = options.IndexAlias;
    }

    /// <summary>The alias searches and writes go through.</summary>
    public string Alias { get; }

    /// <summary>The concrete index created when the alias does not exist yet.</summary>
    public string InitialIndexName => Alias + "-initial";

    /// <inheritdoc />
    public string SystemName => Errors.System;

    /// <inheritdoc />
    public SearchCapabilities Capabilities => SearchCapabilities.Highlights | SearchCapabilities.Facets;

    /// <inheritdoc />
    /// <remarks>The index itself answers for <see cref="ISearchIndexRebuilder"/>.</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public async ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
    {
        SearchDocumentValidator.Validate(documents, _documentLimits);
        if (documents.Count == 0)
        {
            return;
        }

        var stored = Stored(documents);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var mirrors = await MirrorTargetsAsync(cancellationToken).ConfigureAwait(false);
        var actions = new List<BulkAction>(documents.Count * (1 + mirrors.Count));
        foreach (var doc in stored)
        {
            actions.Add(BulkAction.Index(doc, Alias, null));
            actions.AddRange(mirrors.Select(m => BulkAction.Index(doc, m.WriteAlias, m.Rebuild, BulkActionKind.Mirror)));
        }

        await WriteAsync(actions, "index", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
        => DeleteCoreAsync(ids, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Sent as version <paramref name="version"/> + 1 with <c>version_type=external_gte</c>, through the alias and every
    /// rebuild write alias: the tombstone refuses a later write of the same ids with any version up to
    /// <paramref name="version"/> (while the index keeps it, <c>index.gc_deletes</c>, 60 s by default), also a rebuild's
    /// load that read the documents before they were deleted. A document of a version above <paramref name="version"/> + 1
    /// makes the delete fail (HTTP 409) and is kept.
    /// </remarks>
    public ValueTask DeleteAsync(IReadOnlyCollection<string> ids, long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentOutOfRangeException.ThrowIfEqual(version, long.MaxValue);
        return DeleteCoreAsync(ids, version, cancellationToken);
    }

    private async ValueTask DeleteCoreAsync(IReadOnlyCollection<string> ids, long? version, CancellationToken cancellationToken)
    {
        SearchDocumentValidator.ValidateIds(ids);
        if (ids.Count == 0)
        {
            return;
        }

        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var mirrors = await MirrorTargetsAsync(cancellationToken).ConfigureAwait(false);
        var actions = new List<BulkAction>(ids.Count * (1 + mirrors.Count));
        foreach (var id in ids)
        {
            actions.Add(BulkAction.Delete(id, Alias, null, BulkActionKind.Write, version));
            actions.AddRange(mirrors.Select(m => BulkAction.Delete(id, m.WriteAlias, m.Rebuild, BulkActionKind.Mirror, version)));
        }

        await WriteAsync(actions, "delete", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RefreshAsync(CancellationToken cancellationToken = default)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await RefreshAliasAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        using var measurement = SearchTelemetry.Start();
        var (filters, cursor) = SearchRequestValidator.Validate(request, _options.MaxQueryLength);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        if (request.Consistency == SearchConsistency.ReadYourWrites && Volatile.Read(ref _writeSeq) > Volatile.Read(ref _refreshedSeq))
        {
            await RefreshAliasAsync(cancellationToken).ConfigureAwait(false);
        }

        var search = _queries.Build(request, Alias, filters, cursor);
        var clauses = ClauseCounter.Count(System.Text.Json.Nodes.JsonNode.Parse(_client.ElasticsearchClientSettings.RequestResponseSerializer.SerializeToString(search.Query)));
        if (clauses > _options.MaxQueryClauses)
        {
            throw TooManyTerms($"The query would become {clauses.ToString(CultureInfo.InvariantCulture)} search clauses; at most {_options.MaxQueryClauses.ToString(CultureInfo.InvariantCulture)} are accepted (ElasticsearchSearchOptions.MaxQueryClauses). Use fewer words or filters.");
        }

        var response = await Call(() => _client.SearchAsync<EsDocument>(search, cancellationToken), "search").ConfigureAwait(false);
        if (!Errors.Ok(response))
        {
            if (Errors.IsTooManyClauses(response))
            {
                // The node's own limit is below MaxQueryClauses (a small heap or a large search thread pool).
                throw TooManyTerms($"The query has more search clauses than the Elasticsearch cluster accepts ({Errors.Describe(response)}). Use fewer words or filters.");
            }

            throw Errors.From(response, Alias, "search");
        }

        return ToResults(request, response);
    }

    /// <summary>The validation error of a query with too many terms (rule <c>search.query.too-many-terms</c>).</summary>
    private static ArchiveValidationException TooManyTerms(string message)
        => new("query", "search.query.too-many-terms", message);

    /// <inheritdoc />
    public async ValueTask<ISearchIndexRebuild> OpenRebuildAsync(string rebuildId, CancellationToken cancellationToken = default)
    {
        SearchDocumentValidator.ValidateRebuildId(rebuildId);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await CleanUpAbandonedRebuildsAsync(cancellationToken).ConfigureAwait(false);
        await _switchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        ElasticsearchIndexRebuild rebuild;
        bool created;
        try
        {
            lock (_stateLock)
            {
                if (_rebuilds.Any(r => r.RebuildId == rebuildId))
                {
                    throw new InvalidOperationException($"Rebuild '{rebuildId}' is already open.");
                }
            }

            var writeAlias = RebuildAlias(rebuildId);
            var existing = await AliasIndicesAsync(writeAlias, "rebuild", cancellationToken).ConfigureAwait(false);
            string index;
            long count;
            if (existing.Count > 0)
            {
                index = existing[0];
                await RefreshIndexAsync(index, "rebuild", cancellationToken).ConfigureAwait(false);
                var counted = await Call(() => _client.CountAsync(new CountRequest(index), cancellationToken), "rebuild").ConfigureAwait(false);
                if (!Errors.Ok(counted))
                {
                    throw Errors.From(counted, index, "rebuild");
                }

                count = counted.Count;
                created = false;
                Log.RebuildResumed(_logger, rebuildId, index, count);
            }
            else
            {
                index = RebuildIndexName(rebuildId, DateTimeOffset.UtcNow);
                var response = await Call(() => _client.Indices.CreateAsync(IndexDefinition.Create(index, writeAlias, Alias, _options, rebuildId, NewLease()), cancellationToken), "rebuild").ConfigureAwait(false);
                if (!Errors.Ok(response))
                {
                    throw Errors.From(response, index, "rebuild");
                }

                count = 0;
                created = true;
                Log.RebuildStarted(_logger, rebuildId, index);
            }

            rebuild = new ElasticsearchIndexRebuild(this, rebuildId, index, writeAlias, count);
            if (!created)
            {
                await RenewLeaseAsync(rebuild, cancellationToken).ConfigureAwait(false); // ours again
            }

            lock (_stateLock)
            {
                _rebuilds = [.. _rebuilds, rebuild];
            }
        }
        finally
        {
            _switchLock.Release();
        }

        rebuild.StartLeaseRenewal(LeaseRenewal, _logger);
        ForgetDiscovered();
        if (created && RebuildFence > TimeSpan.Zero)
        {
            // Hosts that listed the rebuild aliases just before this one existed may write without copying into it
            // until their list is older than RebuildDiscoveryInterval; what they write until then is committed to
            // storage before the loader (which starts after this) reads it.
            await Task.Delay(RebuildFence, Time, cancellationToken).ConfigureAwait(false);
        }

        return rebuild;
    }

    /// <summary>
    /// Cluster and alias health: unhealthy when the cluster cannot be reached, the user lacks a privilege the adapter
    /// needs (<c>_security/user/_has_privileges</c>; skipped when security is off), or the alias's shards are red, degraded
    /// when yellow (replicas unassigned; searches still work — set <see cref="ElasticsearchSearchOptions.NumberOfReplicas"/>
    /// to 0 on a single node), when the alias does not exist yet (it is created on first use), or when the index was
    /// created by another version of the adapter (rebuild it).
    /// </summary>
    public async Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            if (await MissingPrivilegesAsync("health", cancellationToken).ConfigureAwait(false) is { } missing)
            {
                return HealthCheckResult.Unhealthy("Elasticsearch: " + missing + ".", data: new Dictionary<string, object> { ["alias"] = Alias });
            }

            var indices = await AliasIndicesAsync(Alias, "health", cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object> { ["alias"] = Alias, ["indices"] = string.Join(",", indices) };
            if (indices.Count == 0)
            {
                var cluster = await Call(() => _client.Cluster.HealthAsync(new HealthRequest { Timeout = TimeSpan.FromSeconds(5) }, cancellationToken), "health").ConfigureAwait(false);
                if (!Errors.Ok(cluster))
                {
                    return HealthCheckResult.Unhealthy("Elasticsearch cluster health failed: " + Errors.Describe(cluster), data: data);
                }

                data["cluster"] = cluster.ClusterName;
                return HealthCheckResult.Degraded($"Elasticsearch cluster '{cluster.ClusterName}' is {cluster.Status}; alias '{Alias}' does not exist yet (it is created on first use).", data: data);
            }

            var health = await Call(() => _client.Cluster.HealthAsync(new HealthRequest(Alias) { Timeout = TimeSpan.FromSeconds(5) }, cancellationToken), "health").ConfigureAwait(false);
            if (!Errors.Ok(health))
            {
                return HealthCheckResult.Unhealthy($"Elasticsearch health of '{Alias}' failed: " + Errors.Describe(health), data: data);
            }

            data["cluster"] = health.ClusterName;
            data["status"] = health.Status.ToString();
            data["nodes"] = health.NumberOfNodes;
            var schema = await SchemaVersionAsync(indices[0], cancellationToken).ConfigureAwait(false);
            data["schema"] = schema?.ToString(CultureInfo.InvariantCulture) ?? "none";
            var where = $"alias '{Alias}' ({string.Join(", ", indices)}) on cluster '{health.ClusterName}'";
            if (health.Status == EsHealthStatus.Red)
            {
                return HealthCheckResult.Unhealthy($"Elasticsearch {where} is red: primary shards are unassigned.", data: data);
            }

            if (schema != IndexDefinition.SchemaVersion)
            {
                return HealthCheckResult.Degraded($"Elasticsearch {where} has mapping schema {schema?.ToString(CultureInfo.InvariantCulture) ?? "none"}; this version of the adapter writes schema {IndexDefinition.SchemaVersion}: rebuild the index.", data: data);
            }

            return health.Status == EsHealthStatus.Yellow
                ? HealthCheckResult.Degraded($"Elasticsearch {where} is yellow: replica shards are unassigned (searches work; on a single node set NumberOfReplicas = 0).", data: data)
                : HealthCheckResult.Healthy($"Elasticsearch {where} is green.", data);
        }
        catch (ArchiveSearchException e)
        {
            return HealthCheckResult.Unhealthy(e.Message, e);
        }
    }

    /// <summary>The write alias of a rebuild: derived from the id, so reopening the same id finds its index.</summary>
    internal string RebuildAlias(string rebuildId) => $"{Alias}-rebuild-{Slug(rebuildId)}-{Hash(rebuildId)}";

    /// <summary>A new rebuild index: the id's slug and hash plus the creation time (a committed id can be rebuilt again).</summary>
    internal string RebuildIndexName(string rebuildId, DateTimeOffset now)
        => $"{Alias}-rb-{Slug(rebuildId)}-{Hash(rebuildId)}-{now.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";

    internal async Task WriteRebuildAsync(ElasticsearchIndexRebuild rebuild, IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken)
    {
        SearchDocumentValidator.Validate(documents, _documentLimits);
        if (documents.Count == 0)
        {
            return;
        }

        var actions = Stored(documents).Select(d => BulkAction.Index(d, rebuild.WriteAlias, rebuild, BulkActionKind.Load)).ToList();
        var results = await _bulk.RunAsync(actions, rebuild.Index, "rebuild-index", cancellationToken).ConfigureAwait(false);
        Count(actions, results);
    }

    /// <summary>
    /// The stored form of each document, shortened to fit one request of <see cref="ElasticsearchSearchOptions.MaxRequestBytes"/>
    /// (a document refused with 413 would be retried by the pending-index service for ever); a document that cannot
    /// fit even without its text is refused before anything is sent.
    /// </summary>
    private List<EsDocument> Stored(IReadOnlyCollection<SearchDocument> documents)
    {
        var limit = _options.MaxRequestBytes - BulkAction.MaxMetadataBytes;
        var stored = new List<EsDocument>(documents.Count);
        List<ValidationError>? errors = null;
        var i = 0;
        foreach (var d in documents)
        {
            var doc = EsDocument.Fit(d, limit, out var bytes);
            if (doc is null)
            {
                (errors ??= []).Add(new($"documents[{i}]", "search.document.too-large",
                    $"Document '{d.Id}' is {bytes} bytes as stored and does not fit one request to the cluster ({_options.MaxRequestBytes} bytes, ElasticsearchSearchOptions.MaxRequestBytes) even without its text."));
            }
            else
            {
                if (doc.Json.Length < bytes)
                {
                    Log.DocumentTruncated(_logger, d.Id, bytes, _options.MaxRequestBytes, doc.Json.Length);
                }

                stored.Add(doc);
            }

            i++;
        }

        return errors is null ? stored : throw new ArchiveValidationException(errors);
    }

    internal async Task CommitRebuildAsync(ElasticsearchIndexRebuild rebuild, CancellationToken cancellationToken)
    {
        await _switchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        List<string> old;
        try
        {
            // Restore what bulk loading turned off, make everything visible, then switch in one cluster-state update.
            var settings = await Call(() => _client.Indices.PutSettingsAsync(new PutIndicesSettingsRequest(rebuild.Index, new IndexSettings { RefreshInterval = TimeSpan.FromSeconds(1), NumberOfReplicas = _options.NumberOfReplicas ?? 1 }), cancellationToken), "rebuild-commit").ConfigureAwait(false);
            if (!Errors.Ok(settings))
            {
                throw Errors.From(settings, rebuild.Index, "rebuild-commit");
            }

            await RefreshIndexAsync(rebuild.Index, "rebuild-commit", cancellationToken).ConfigureAwait(false);
            old = (await AliasIndicesAsync(Alias, "rebuild-commit", cancellationToken).ConfigureAwait(false)).Where(i => i != rebuild.Index).ToList();
            var swap = new UpdateAliasesRequest { Actions = SwapActions(old, rebuild) };
            var swapped = await Call(() => _client.Indices.UpdateAliasesAsync(swap, cancellationToken), "rebuild-commit").ConfigureAwait(false);
            if (!Errors.Ok(swapped))
            {
                throw Errors.From(swapped, Alias, "rebuild-commit");
            }

            Forget(rebuild);
            ForgetDiscovered();
            Interlocked.Increment(ref _writeSeq); // the next read-your-writes search refreshes the new index
            Log.RebuildCommitted(_logger, rebuild.RebuildId, rebuild.Index, string.Join(", ", old), Alias);
        }
        finally
        {
            _switchLock.Release();
        }

        if (old.Count > 0)
        {
            // Searches that resolved the alias just before the switch may still be running on the old index.
            await Task.Delay(RetiredIndexGrace, CancellationToken.None).ConfigureAwait(false);
            var deleted = await Call(() => _client.Indices.DeleteAsync(new DeleteIndexRequest(old.ToArray()), CancellationToken.None), "rebuild-commit").ConfigureAwait(false);
            if (!Errors.Ok(deleted) && Errors.Status(deleted) != 404)
            {
                Log.ReplacedIndexDeleteFailed(_logger, string.Join(", ", old), Errors.Describe(deleted));
            }
        }
    }

    /// <summary>How long a replaced index is kept after the alias switch, so searches in flight finish on it (2 s).</summary>
    internal TimeSpan RetiredIndexGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The atomic <c>_aliases</c> actions of a commit: the alias leaves the old indices and moves to the new one, whose rebuild alias is removed.</summary>
    internal List<IndexUpdateAliasesAction> SwapActions(IReadOnlyList<string> old, ElasticsearchIndexRebuild rebuild)
    {
        var actions = new List<IndexUpdateAliasesAction>();
        foreach (var index in old)
        {
            actions.Add(new RemoveAction { Index = index, Alias = Alias, MustExist = true });
        }

        actions.Add(new AddAction { Index = rebuild.Index, Alias = Alias, IsWriteIndex = true });
        actions.Add(new RemoveAction { Index = rebuild.Index, Alias = rebuild.WriteAlias, MustExist = true });
        return actions;
    }

    internal async Task DiscardRebuildAsync(ElasticsearchIndexRebuild rebuild, CancellationToken cancellationToken)
    {
        Forget(rebuild);
        ForgetDiscovered();
        var deleted = await Call(() => _client.Indices.DeleteAsync(new DeleteIndexRequest(rebuild.Index), cancellationToken), "rebuild-discard").ConfigureAwait(false);
        if (!Errors.Ok(deleted) && Errors.Status(deleted) != 404)
        {
            throw Errors.From(deleted, rebuild.Index, "rebuild-discard");
        }

        Log.RebuildDiscarded(_logger, rebuild.RebuildId, rebuild.Index);
    }

    internal void CloseRebuild(ElasticsearchIndexRebuild rebuild) => Forget(rebuild);

    private List<ElasticsearchIndexRebuild> Mirrors()
    {
        lock (_stateLock)
        {
            return _rebuilds;
        }
    }

    private void Forget(ElasticsearchIndexRebuild rebuild)
    {
        rebuild.StopLeaseRenewal();
        lock (_stateLock)
        {
            _rebuilds = _rebuilds.Where(r => r != rebuild).ToList();
        }
    }

    private async Task WriteAsync(List<BulkAction> actions, string operation, CancellationToken cancellationToken)
    {
        try
        {
            var results = await _bulk.RunAsync(actions, Alias, operation, cancellationToken).ConfigureAwait(false);
            Count(actions, results);
            if (results.Contains(BulkAction.Gone))
            {
                ForgetDiscovered();
            }
        }
        finally
        {
            // Also after a failure: some actions may have been applied, a read-your-writes search must refresh.
            Interlocked.Increment(ref _writeSeq);
        }
    }

    private static void Count(List<BulkAction> actions, string?[] results)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i].Tag is ElasticsearchIndexRebuild rebuild)
            {
                rebuild.Counted(results[i]);
            }
        }
    }

    private async Task RefreshAliasAsync(CancellationToken cancellationToken)
    {
        var upTo = Volatile.Read(ref _writeSeq);
        await RefreshIndexAsync(Alias, "refresh", cancellationToken).ConfigureAwait(false);
        long seen;
        while ((seen = Volatile.Read(ref _refreshedSeq)) < upTo && Interlocked.CompareExchange(ref _refreshedSeq, upTo, seen) != seen)
        {
        }
    }

    private async Task RefreshIndexAsync(string index, string operation, CancellationToken cancellationToken)
    {
        var response = await Call(() => _client.Indices.RefreshAsync(new RefreshRequest(index), cancellationToken), operation).ConfigureAwait(false);
        if (!Errors.Ok(response))
        {
            throw Errors.From(response, index, operation);
        }
    }

    /// <summary>The indices an alias points to; empty when the alias does not exist.</summary>
    private async Task<List<string>> AliasIndicesAsync(string alias, string operation, CancellationToken cancellationToken)
    {
        var response = await Call(() => _client.Indices.GetAliasAsync(new GetAliasRequest((Names)alias), cancellationToken), operation).ConfigureAwait(false);
        if (Errors.Status(response) == 404)
        {
            return [];
        }

        if (!Errors.Ok(response))
        {
            throw Errors.From(response, alias, operation);
        }

        return (response.Aliases ?? new Dictionary<string, IndexAliases>()).Keys.Order(StringComparer.Ordinal).ToList();
    }

    private async Task<int?> SchemaVersionAsync(string index, CancellationToken cancellationToken)
    {
        var response = await Call(() => _client.Indices.GetMappingAsync(new GetMappingRequest(index), cancellationToken), "health").ConfigureAwait(false);
        if (!Errors.Ok(response))
        {
            throw Errors.From(response, index, "health");
        }

        var meta = response.Mappings?.Values.FirstOrDefault()?.Mappings?.Meta;
        if (meta is null || !meta.TryGetValue("archive", out var archive))
        {
            return null;
        }

        var json = archive switch
        {
            System.Text.Json.JsonElement e => e,
            _ => System.Text.Json.JsonSerializer.SerializeToElement(archive),
        };
        return json.ValueKind == System.Text.Json.JsonValueKind.Object && json.TryGetProperty("schema", out var s) && s.TryGetInt32(out var v) ? v : null;
    }

    private Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        var ready = Volatile.Read(ref _ready);
        if (ready is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_stateLock)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = CreateIfMissingAsync();
            }

            ready = _ready;
        }

        return ready.WaitAsync(cancellationToken);
    }

    /// <summary>Creates <c>ALIAS-initial</c> together with the alias when the alias does not exist (idempotent across processes).</summary>
    private async Task CreateIfMissingAsync()
    {
        if (await MissingPrivilegesAsync("open", CancellationToken.None).ConfigureAwait(false) is { } missing)
        {
            throw new ArchiveSearchException(Errors.System, Alias, "open", missing);
        }

        var exists = await Call(() => _client.Indices.ExistsAliasAsync(new ExistsAliasRequest(Alias), CancellationToken.None), "open").ConfigureAwait(false);
        if (exists.Exists)
        {
            await CleanUpAbandonedRebuildsAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (Errors.Status(exists) != 404)
        {
            throw Errors.From(exists, Alias, "open");
        }

        var created = await Call(() => _client.Indices.CreateAsync(IndexDefinition.Create(InitialIndexName, Alias, Alias, _options, null), CancellationToken.None), "open").ConfigureAwait(false);
        if (Errors.Ok(created))
        {
            Log.IndexCreated(_logger, InitialIndexName, Alias);
            return;
        }

        if (Errors.ErrorType(created) == "resource_already_exists_exception")
        {
            // Another process created it at the same moment, or the alias was removed by hand.
            var again = await Call(() => _client.Indices.ExistsAliasAsync(new ExistsAliasRequest(Alias), CancellationToken.None), "open").ConfigureAwait(false);
            if (again.Exists)
            {
                return;
            }

            throw new ArchiveSearchException(Errors.System, Alias, "open",
                $"the alias does not exist but the index '{InitialIndexName}' does; add the alias to it (POST _aliases) or delete it",
                new TransportException(PipelineFailure.BadResponse, Errors.Describe(created), created));
        }

        throw Errors.From(created, InitialIndexName, "open");
    }

    private SearchResults ToResults(SearchRequest request, SearchResponse<EsDocument> response)
    {
        var hits = response.HitsMetadata?.Hits?.ToList() ?? [];
        var results = new List<SearchHit>(Math.Min(hits.Count, request.PageSize));
        for (var i = 0; i < hits.Count && i < request.PageSize; i++)
        {
            var hit = hits[i];
            var document = hit.Source?.Document ?? throw new ArchiveSearchException(Errors.System, Alias, "search", $"hit '{hit.Id}' has no _source");
            results.Add(new SearchHit
            {
                Document = document,
                Score = request.Sort == SearchSort.Relevance ? hit.Score ?? 0 : 0,
                Highlights = request.Highlight ? Highlights(hit, document) : [],
            });
        }

        string? next = null;
        if (hits.Count > request.PageSize)
        {
            next = CursorAfter(request, hits[request.PageSize - 1]).Encode();
        }

        var facets = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal);
        var requested = (request.Facets ?? []).Distinct(StringComparer.Ordinal).ToList();
        for (var i = 0; i < requested.Count; i++)
        {
            var terms = response.Aggregations?.GetStringTerms(QueryBuilder.FacetName(i));
            facets[requested[i]] = terms?.Buckets?.Select(b => new FacetValue(KeyOf(b.Key), b.DocCount)).ToList() ?? [];
        }

        var total = response.HitsMetadata?.Total is { } t ? t.Match(h => h?.Value ?? 0, l => l) : hits.Count;

        // track_total_hits is on, so the relation is "eq"; mapped anyway in case a cluster setting caps it.
        var exact = response.HitsMetadata?.Total is not { } r || r.Match(h => h is null || h.Relation != TotalHitsRelation.Gte, _ => true);
        return new SearchResults { Total = total, TotalIsExact = exact, Hits = results, NextCursor = next, Facets = facets };
    }

    private SearchCursor CursorAfter(SearchRequest request, Hit<EsDocument> last)
    {
        var sort = last.Sort?.ToList() ?? [];
        if (sort.Count != 2 || !sort[1].TryGetString(out var id) || id is null)
        {
            throw new ArchiveSearchException(Errors.System, Alias, "search", $"hit '{last.Id}' came back without its sort values");
        }

        var hash = SearchCursor.HashOf(request);
        if (request.Sort == SearchSort.Relevance)
        {
            var score = sort[0].TryGetDouble(out var d) ? d!.Value : sort[0].TryGetLong(out var l) ? l!.Value : 0;
            return new SearchCursor(request.Sort, hash, score, 0, id);
        }

        var date = sort[0].TryGetLong(out var millis) ? millis!.Value : sort[0].TryGetDouble(out var dm) ? (long)dm!.Value : 0;
        return new SearchCursor(request.Sort, hash, 0, date, id);
    }

    private List<Archive.Search.Highlight> Highlights(Hit<EsDocument> hit, SearchDocument document)
    {
        var result = new List<Archive.Search.Highlight>();
        var fields = hit.Highlight;
        if (fields is not null)
        {
            if (fields.TryGetValue(Fields.Title.Folded, out var title) && title.FirstOrDefault() is { } t)
            {
                result.Add(new(SearchFields.Title, t));
            }

            if (fields.TryGetValue(Fields.Subject.Folded, out var subject) && subject.FirstOrDefault() is { } s)
            {
                result.Add(new(SearchFields.Subject, s));
            }
        }

        var max = _options.MaxHighlightFragments;
        var text = new List<Archive.Search.Highlight>();
        if (fields is not null && fields.TryGetValue(Fields.Text, out var body))
        {
            text.AddRange(body.Take(max).Select(f => new Archive.Search.Highlight(SearchFields.Text, f)));
        }

        if (document.Pages is { Count: > 0 } && hit.InnerHits is { } inner && inner.TryGetValue(Fields.PagesInnerHits, out var pages))
        {
            // Best pages first (inner hits are by score); then fragments in reading order, as the embedded engine returns them.
            var picked = new List<(int Page, int Order, string Fragment)>();
            foreach (var pageHit in pages.Hits?.Hits ?? [])
            {
                if (pageHit.Nested is not { } nested || pageHit.Highlight is null || !pageHit.Highlight.TryGetValue(Fields.PageText, out var fragments))
                {
                    continue;
                }

                var order = 0;
                foreach (var fragment in fragments)
                {
                    if (text.Count + picked.Count >= max)
                    {
                        break;
                    }

                    picked.Add((nested.Offset + 1, order++, fragment));
                }
            }

            text.AddRange(picked.OrderBy(p => p.Page).ThenBy(p => p.Order).Select(p => new Archive.Search.Highlight(SearchFields.Text, p.Fragment, p.Page)
            {
                Label = document.PageLabels is { } labels && p.Page <= labels.Count ? labels[p.Page - 1] : null,
            }));
        }

        result.AddRange(text);
        return result;
    }

    private static string KeyOf(FieldValue key)
        => key.TryGetString(out var s) && s is not null ? s
            : key.TryGetLong(out var l) && l is not null ? l.Value.ToString(CultureInfo.InvariantCulture)
            : key.TryGetDouble(out var d) && d is not null ? d.Value.ToString(CultureInfo.InvariantCulture)
            : key.ToString();

    /// <summary>Runs a client call, turning a thrown transport failure (clients configured to throw) into an <see cref="ArchiveSearchException"/>.</summary>
    private async Task<T> Call<T>(Func<Task<T>> call, string operation)
        where T : ElasticsearchResponse
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (TransportException e)
        {
            throw Errors.From(e, Alias, operation);
        }
        catch (Exception e) when (e is HttpRequestException or UnsupportedProductException or System.Text.Json.JsonException or IOException)
        {
            throw Errors.From(e, Alias, operation);
        }
    }

    /// <summary>Lower case letters and digits of the id, for a readable index name (the hash keeps ids apart).</summary>
    private static string Slug(string id)
    {
        var sb = new StringBuilder();
        foreach (var c in id.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '_')
            {
                sb.Append('_');
            }

            if (sb.Length >= 40)
            {
                break;
            }
        }

        return sb.ToString().Trim('_') is { Length: > 0 } slug ? slug : "x";
    }

    private static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..12];
}
