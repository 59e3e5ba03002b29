namespace Archive.Packages;

/// <summary>
/// Parsed root inventories kept in memory, so that reading a package (and every change, which reads it several times)
/// does not re-read and re-parse an inventory that grows with the package's versions. Only with one writing process
/// (<see cref="OcflPackageStoreOptions.SharedStorage"/> off), whose own commits keep the cache current; every use is
/// still checked against the root inventory object's entity tag (one stat, which changes whenever the content does), so
/// an inventory changed behind the process's back (a restore, a repair, damage written through the store) is read, and
/// checked against its sidecar, again. A store that gives no entity tag (an empty one, as Ceph gives for multipart
/// uploads) gets no caching. Bounded by the inventories' size (<see cref="InventoryCacheBytes"/>), least
/// recently used first out.
/// </summary>
public sealed partial class OcflPackageStore
{
    /// <summary>Upper bound of the cached inventories' serialised size (their parsed form takes a few times more).</summary>
    internal const long InventoryCacheBytes = 32L * 1024 * 1024;

    private readonly Dictionary<string, CacheEntry> _inventories = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _inventoryOrder = new();
    private readonly object _inventoryLock = new();
    private long _inventoryBytes;

    private bool CachesInventories => !_options.SharedStorage;

    /// <summary>The cached inventory of <paramref name="objectRoot"/> when the root inventory object's tag is still <paramref name="etag"/>.</summary>
    private LoadedInventory? CachedInventory(string objectRoot, string? etag)
    {
        if (!CachesInventories || string.IsNullOrEmpty(etag))
        {
            return null;
        }

        lock (_inventoryLock)
        {
            if (_inventories.TryGetValue(objectRoot, out var entry) && entry.ETag == etag)
            {
                _inventoryOrder.Remove(entry.Node);
                _inventoryOrder.AddLast(entry.Node);
                return entry.Inventory;
            }
        }

        return null;
    }

    /// <summary>A cached inventory, its object's tag, its place in the eviction order, and the package's view built on it (with the journal).</summary>
    private sealed class CacheEntry(LoadedInventory inventory, string etag, LinkedListNode<string> node)
    {
        public LoadedInventory Inventory { get; } = inventory;

        public string ETag { get; set; } = etag;

        public LinkedListNode<string> Node { get; } = node;

        /// <summary>Set only under the package's lock (by a commit, or a read that built it there), so it is never older than storage.</summary>
        public PackageView? View { get; set; }
    }

    /// <summary>Keeps a verified inventory (its digest matches the sidecar it was read with, or it was just written) with the object's tag.</summary>
    private void CacheInventory(string objectRoot, LoadedInventory inventory, string? etag)
    {
        if (!CachesInventories || string.IsNullOrEmpty(etag) || inventory.SidecarStale || inventory.Bytes.LongLength > InventoryCacheBytes / 4)
        {
            ForgetInventory(objectRoot);
            return;
        }

        lock (_inventoryLock)
        {
            if (_inventories.TryGetValue(objectRoot, out var same) && same.Inventory.Digest == inventory.Digest)
            {
                same.ETag = etag; // the same inventory read again: the view built on it stays
                return;
            }

            RemoveLocked(objectRoot);
            var node = _inventoryOrder.AddLast(objectRoot);
            _inventories[objectRoot] = new CacheEntry(inventory, etag, node);
            _inventoryBytes += inventory.Bytes.LongLength;
            while (_inventoryBytes > InventoryCacheBytes && _inventoryOrder.First is { } oldest)
            {
                RemoveLocked(oldest.Value);
            }
        }
    }

    /// <summary>The package's cached view when it was built on <paramref name="inventory"/>'s root inventory.</summary>
    private PackageView? CachedView(string objectRoot, LoadedInventory inventory)
    {
        lock (_inventoryLock)
        {
            return _inventories.TryGetValue(objectRoot, out var entry) && entry.Inventory.Digest == inventory.Digest && entry.View is { } view && view.Ocfl.Digest == inventory.Digest
                ? view
                : null;
        }
    }

    /// <summary>Keeps the package's view (caller holds the package's lock) when its root inventory is the cached one; null forgets it.</summary>
    private void CacheView(string objectRoot, LoadedInventory inventory, PackageView? view)
    {
        lock (_inventoryLock)
        {
            if (_inventories.TryGetValue(objectRoot, out var entry))
            {
                entry.View = view is not null && entry.Inventory.Digest == inventory.Digest && view.Ocfl.Digest == inventory.Digest ? view : null;
            }
        }
    }

    /// <summary>Forgets a package's inventory (before a commit point whose outcome may be unknown).</summary>
    private void ForgetInventory(string objectRoot)
    {
        if (!CachesInventories)
        {
            return;
        }

        lock (_inventoryLock)
        {
            RemoveLocked(objectRoot);
        }
    }

    private void RemoveLocked(string objectRoot)
    {
        if (_inventories.Remove(objectRoot, out var entry))
        {
            _inventoryOrder.Remove(entry.Node);
            _inventoryBytes -= entry.Inventory.Bytes.LongLength;
        }
    }
}
