using System.Text;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Elastic.Transport;
using Microsoft.Extensions.Logging;

namespace Archive.Search.Elastic.Internal;

/// <summary>Why an action is sent, which decides the item errors that are not failures.</summary>
internal enum BulkActionKind
{
    /// <summary>
    /// A write through the search alias. Every item error fails the call, except a 409
    /// <c>version_conflict_engine_exception</c> on the index of a versioned document: the alias already holds a newer
    /// projection of it, so this write is not needed.
    /// </summary>
    Write,

    /// <summary>
    /// A copy of a live write into a rebuild's write alias. A 404 <c>index_not_found_exception</c> (the rebuild was
    /// committed or discarded meanwhile, so its alias is gone and <c>require_alias</c> refuses it) means the copy is not
    /// needed: after a commit the write through the search alias already reached the new index. A 409 on a versioned
    /// document is not needed either, as for <see cref="Write"/>.
    /// </summary>
    Mirror,

    /// <summary>
    /// A document loaded by a rebuild (<c>version_type external_gte</c> with the document's version, 0 when it has
    /// none). A 409 <c>version_conflict_engine_exception</c> means a live write already put a newer copy there: not needed.
    /// </summary>
    Load,
}

/// <summary>One bulk action, its approximate size in the request body and who asked for it.</summary>
/// <param name="Operation">The operation sent.</param>
/// <param name="Id">The document id.</param>
/// <param name="Bytes">Approximate size in the request body.</param>
/// <param name="Tag">The rebuild whose count the result changes, or null.</param>
/// <param name="Kind">Why it is sent.</param>
/// <param name="Version">The external version sent (<c>version_type=external_gte</c>), or null for internal versioning.</param>
/// <param name="IsDelete">Whether it is a delete.</param>
internal sealed record BulkAction(IBulkOperation Operation, string Id, long Bytes, object? Tag, BulkActionKind Kind = BulkActionKind.Write, long? Version = null, bool IsDelete = false)
{
    /// <summary>Result of a versioned index action a newer copy already in the index made unnecessary (HTTP 409).</summary>
    public const string Superseded = "superseded";

    /// <summary>Result of a <see cref="BulkActionKind.Mirror"/> action whose rebuild alias no longer exists (HTTP 404).</summary>
    public const string Gone = "gone";

    /// <summary>
    /// Upper bound of an action line (<c>{"index":{"_index":…,"_id":…,"version":…,"version_type":…}}</c> and the
    /// newlines): ids are at most 512 UTF-8 bytes (6 when escaped), aliases 255.
    /// </summary>
    public const int MaxMetadataBytes = 4096;

    public static BulkAction Index(EsDocument document, string target, object? tag, BulkActionKind kind = BulkActionKind.Write)
    {
        var operation = new BulkIndexOperation<EsDocument>(document, target) { Id = document.Document.Id };

        // Elasticsearch's external_gte versioning (index API, "Versioning"): the write is applied only if the stored
        // document's version is lower than or equal to the one given, or there is none. A document with a version (the
        // package version it was projected from) is written with it, live, copied or loaded alike: an older projection
        // never replaces a newer one whatever order the writes arrive in, and the same version replaces (idempotent).
        // A loaded document without a version gets version 0 (a valid external version since Elasticsearch 1.2,
        // elastic/elasticsearch#6149), a live one none (internal versioning: current + 1 ≥ 1): such a load replaces an
        // earlier load and never a live write. A delete's tombstone also wins over older writes while the index keeps
        // it (index.gc_deletes, 60 s by default).
        var version = document.Document.Version ?? (kind == BulkActionKind.Load ? 0 : null);
        if (version is { } v)
        {
            operation.Version = v;
            operation.VersionType = VersionType.ExternalGte;
        }

        return new(operation, document.Document.Id, document.Json.Length + Metadata(target, document.Document.Id), tag, kind, version);
    }

    /// <summary>
    /// A delete; with <paramref name="sourceVersion"/> (the last version of the documents' source) it is written as the
    /// version after it (<c>sourceVersion + 1</c>, <c>external_gte</c>), so its tombstone refuses later writes of every
    /// version up to <paramref name="sourceVersion"/>, and a document of a newer version makes it fail (409).
    /// </summary>
    public static BulkAction Delete(string id, string target, object? tag, BulkActionKind kind = BulkActionKind.Write, long? sourceVersion = null)
    {
        var operation = new BulkDeleteOperation(id) { Index = target };
        var version = sourceVersion + 1;
        if (version is { } v)
        {
            operation.Version = v;
            operation.VersionType = VersionType.ExternalGte;
        }

        return new(operation, id, Metadata(target, id), tag, kind, version, IsDelete: true);
    }

    /// <summary>Whether an item error of this action means "not needed" rather than a failure; the result to record.</summary>
    public string? Tolerated(int status, string? errorType) => (Kind, status, errorType) switch
    {
        // A versioned index action refused because the index holds a newer version: not needed. Never for an
        // unversioned write (a 409 there is unexpected) nor for a delete (a newer document than the one deleted is there).
        (_, 409, "version_conflict_engine_exception") when Version is not null && !IsDelete => Superseded,
        (BulkActionKind.Mirror, 404, "index_not_found_exception") => Gone,
        _ => null,
    };

    private static long Metadata(string target, string id) => 128 + target.Length + Encoding.UTF8.GetByteCount(id);
}

/// <summary>
/// Sends bulk actions with back-pressure: requests of at most <see cref="ElasticsearchSearchOptions.BulkMaxDocuments"/>
/// actions and about <see cref="ElasticsearchSearchOptions.BulkMaxBytes"/> bytes, at most
/// <see cref="ElasticsearchSearchOptions.BulkConcurrency"/> in flight, and the actions the cluster rejects with 429
/// (a full write queue) sent again after an exponential back-off. Every request targets aliases only
/// (<c>require_alias=true</c>), so a missing alias fails instead of auto-creating an index with a dynamic mapping.
/// </summary>
internal sealed class BulkWriter(ElasticsearchClient client, ElasticsearchSearchOptions options, ILogger logger)
{
    /// <summary>Runs the actions; returns each action's <c>result</c> (<c>created</c>, <c>updated</c>, <c>deleted</c>, <c>not_found</c>) in order.</summary>
    public async Task<string?[]> RunAsync(IReadOnlyList<BulkAction> actions, string index, string operation, CancellationToken cancellationToken)
    {
        var results = new string?[actions.Count];
        var batches = Cut(actions);
        if (batches.Count == 1)
        {
            await SendAsync(actions, batches[0], results, index, operation, cancellationToken).ConfigureAwait(false);
            return results;
        }

        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = options.BulkConcurrency, CancellationToken = cancellationToken },
            async (batch, ct) => await SendAsync(actions, batch, results, index, operation, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    /// <summary>Consecutive runs of actions within the count and byte limits (a single larger action goes alone).</summary>
    internal List<List<int>> Cut(IReadOnlyList<BulkAction> actions)
    {
        var batches = new List<List<int>>();
        var current = new List<int>();
        long bytes = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            var size = actions[i].Bytes;
            if (current.Count > 0 && (current.Count >= options.BulkMaxDocuments || bytes + size > options.BulkMaxBytes))
            {
                batches.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(i);
            bytes += size;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    private async Task SendAsync(IReadOnlyList<BulkAction> actions, List<int> batch, string?[] results, string index, string operation, CancellationToken cancellationToken)
    {
        var pending = batch;
        for (var attempt = 0; ; attempt++)
        {
            var request = new BulkRequest
            {
                RequireAlias = true,
                Operations = new BulkOperationsCollection(pending.Select(i => actions[i].Operation)),
            };

            BulkResponse response;
            try
            {
                response = await client.BulkAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (TransportException e) when (e.ApiCallDetails?.HttpStatusCode == 429 && attempt < options.MaxRetries)
            {
                await BackOffAsync(attempt, pending.Count, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is TransportException or HttpRequestException or UnsupportedProductException or System.Text.Json.JsonException or IOException)
            {
                throw Errors.From(e, index, operation);
            }

            if (response.ApiCallDetails is not { HasSuccessfulStatusCode: true })
            {
                if (Errors.Status(response) == 429 && attempt < options.MaxRetries)
                {
                    await BackOffAsync(attempt, pending.Count, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw Errors.From(response, index, operation);
            }

            var items = response.Items?.ToList() ?? [];
            if (items.Count != pending.Count)
            {
                throw new ArchiveSearchException(Errors.System, index, operation, $"the bulk response has {items.Count} items for {pending.Count} actions");
            }

            var retry = new List<int>();
            var failures = new List<string>();
            for (var k = 0; k < items.Count; k++)
            {
                var item = items[k];
                if (item.Error is null)
                {
                    results[pending[k]] = item.Result;
                }
                else if (actions[pending[k]].Tolerated(item.Status, item.Error.Type) is { } tolerated)
                {
                    results[pending[k]] = tolerated;
                    if (tolerated == BulkAction.Superseded)
                    {
                        Log.WriteSuperseded(logger, actions[pending[k]].Id, actions[pending[k]].Version ?? 0, item.Index ?? index);
                    }
                }
                else if (item.Status == 429)
                {
                    retry.Add(pending[k]);
                }
                else
                {
                    failures.Add($"'{actions[pending[k]].Id}' HTTP {item.Status} {item.Error.Type}: {item.Error.Reason}" + (item.Error.CausedBy is { } c ? $" (caused by {c.Type}: {c.Reason})" : ""));
                }
            }

            if (failures.Count > 0)
            {
                var more = failures.Count > 5 ? $"; and {failures.Count - 5} more" : "";
                throw new ArchiveSearchException(Errors.System, index, operation, $"{failures.Count} of {pending.Count} actions failed: {string.Join("; ", failures.Take(5))}{more}",
                    new TransportException(PipelineFailure.BadResponse, "bulk item failures", response));
            }

            if (retry.Count == 0)
            {
                return;
            }

            if (attempt >= options.MaxRetries)
            {
                throw new ArchiveSearchException(Errors.System, index, operation,
                    $"{retry.Count} actions were still rejected with HTTP 429 es_rejected_execution_exception (write queue full) after {options.MaxRetries} retries",
                    new TransportException(PipelineFailure.BadResponse, "bulk items rejected", response));
            }

            await BackOffAsync(attempt, retry.Count, cancellationToken).ConfigureAwait(false);
            pending = retry;
        }
    }

    private Task BackOffAsync(int attempt, int count, CancellationToken cancellationToken)
    {
        var max = TimeSpan.FromSeconds(30);
        var delay = options.RetryDelay * Math.Pow(2, Math.Min(attempt, 20));
        if (delay > max)
        {
            delay = max;
        }

        delay *= 0.8 + (Random.Shared.NextDouble() * 0.4); // jitter, so parallel writers do not retry in lock-step
        Log.BulkRejected(logger, count, attempt + 1, options.MaxRetries, (int)delay.TotalMilliseconds);
        return delay > TimeSpan.Zero ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }
}
