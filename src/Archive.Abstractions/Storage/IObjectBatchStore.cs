namespace Archive.Storage;

/// <summary>
/// Capability (through <see cref="IObjectStore.GetService"/>): creates several small objects in a given order and makes
/// them durable together — one flush for the batch instead of one per object — for append-only logs whose entries are
/// chained on their predecessors (the audit log's group commit).
/// </summary>
/// <remarks>
/// <para><b>Order.</b> Items are created one after the other, each create-only (as with
/// <see cref="PutObjectOptions.CreateOnly"/>, whatever the item's options say). The first item whose key exists
/// stops the batch: nothing after it is written and the count of items created before it is returned.</para>
/// <para><b>Durability.</b> When the call returns, every item it counts is durable. After a crash (or an exception)
/// part-way, the items that survive are a prefix of the batch: item <c>i + 1</c> never survives without item
/// <c>i</c>. That is what lets a hash chain be written in one batch and still verify after a crash.</para>
/// <para>Writes through this capability bypass <see cref="IObjectStore.PutAsync"/>, so a decorator that changes how
/// puts behave must not pass it on (<see cref="DelegatingObjectStore"/> passes it on only when the decorator does not
/// override <see cref="DelegatingObjectStore.PutAsync"/>). A store that cannot keep the prefix guarantee does not offer
/// it; callers then write item by item with create-only puts.</para>
/// </remarks>
public interface IObjectBatchStore
{
    /// <summary>
    /// Creates <paramref name="items"/> in order, create-only, stopping before the first whose key exists; every created
    /// item is durable on return.
    /// </summary>
    /// <param name="items">The objects, in the order they must become durable.</param>
    /// <param name="cancellationToken">Cancels before the first item is published; once publishing has begun the batch completes.</param>
    /// <returns>How many items (a prefix of <paramref name="items"/>) were created; fewer than all when an item's key existed.</returns>
    /// <exception cref="ArchiveValidationException">A key or an item's options are invalid (nothing is written).</exception>
    /// <exception cref="ArchiveStorageException">The backend failed; a prefix of the items may have been created.</exception>
    ValueTask<int> CreateInOrderAsync(IReadOnlyList<ObjectBatchItem> items, CancellationToken cancellationToken = default);
}

/// <summary>One small object of an <see cref="IObjectBatchStore.CreateInOrderAsync"/> batch.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Content">The whole content (batches are for small objects).</param>
/// <param name="Options">Content type, metadata, retention; the write is create-only in any case.</param>
public sealed record ObjectBatchItem(string Key, ReadOnlyMemory<byte> Content, PutObjectOptions? Options = null);
