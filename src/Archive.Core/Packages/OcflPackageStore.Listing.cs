using System.Runtime.CompilerServices;
using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Ids come in storage-layout order (ordinal order of the hashed object-root paths), which is stable and resumable
    /// without holding every id in memory: pass the last id seen as <paramref name="after"/> to continue.
    /// </remarks>
    public async IAsyncEnumerable<string> ListPackagesAsync(string? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var afterRoot = after is null ? null : GetObjectRoot(after);
        await foreach (var objectRoot in ListObjectRootsAsync(afterRoot, cancellationToken).ConfigureAwait(false))
        {
            if (await _objects.StatAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false) is null)
            {
                // Never committed (a first commit in progress or crashed).
                continue;
            }

            var folder = objectRoot[..^1];
            var id = OcflStorageLayout.TryDecode(folder[(folder.LastIndexOf('/') + 1)..]);
            if (id is null)
            {
                var bytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
                id = bytes is null ? null : OcflInventoryDocument.Parse(bytes)?.Id;
            }

            if (id is not null)
            {
                yield return id;
            }
        }
    }

    /// <summary>Object-root keys (ending in '/') in layout order, after <paramref name="afterRoot"/> when given.</summary>
    private async IAsyncEnumerable<string> ListObjectRootsAsync(string? afterRoot, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var t1 in ListLevelAsync(_root, afterRoot, tuple: true, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var t2 in ListLevelAsync(t1, afterRoot, tuple: true, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var t3 in ListLevelAsync(t2, afterRoot, tuple: true, cancellationToken).ConfigureAwait(false))
                {
                    await foreach (var objectRoot in ListLevelAsync(t3, afterRoot, tuple: false, cancellationToken).ConfigureAwait(false))
                    {
                        yield return objectRoot;
                    }
                }
            }
        }
    }

    /// <summary>The sub-folders of one level of the layout tree, skipping those that lie entirely before <paramref name="afterRoot"/>.</summary>
    private async IAsyncEnumerable<string> ListLevelAsync(string prefix, string? afterRoot, bool tuple, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await _objects.ListPageAsync(prefix, new ObjectListOptions { Delimited = true, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var folder in page.CommonPrefixes)
            {
                var name = folder[prefix.Length..^1];
                if (tuple && !OcflStorageLayout.IsTuple(name))
                {
                    continue;
                }

                if (afterRoot is not null)
                {
                    var inside = afterRoot.StartsWith(folder, StringComparison.Ordinal);
                    if (tuple ? !inside && string.CompareOrdinal(folder, afterRoot) < 0 : string.CompareOrdinal(folder, afterRoot) <= 0)
                    {
                        continue;
                    }
                }

                yield return folder;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }
}
