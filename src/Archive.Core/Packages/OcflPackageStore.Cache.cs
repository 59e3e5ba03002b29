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

    private readonly Dictionary<string, (LoadedInventory Inventory, string ETag, LinkedListNode<string> Node)> _inventories = new(StringComparer.Ordinal);
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
            RemoveLocked(objectRoot);
            var node = _inventoryOrder.AddLast(objectRoot);
            _inventories[objectRoot] = (inventory, etag, node);
            _inventoryBytes += inventory.Bytes.LongLength;
            while (_inventoryBytes > InventoryCacheBytes && _inventoryOrder.First is { } oldest)
            {
                RemoveLocked(oldest.Value);
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
