using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <inheritdoc />
    public async ValueTask<PackageInventory?> GetInventoryAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        var view = await LoadViewAsync(id, GetObjectRootOfNormalized(id), cancellationToken).ConfigureAwait(false);
        return view?.Inventory;
    }

    /// <inheritdoc />
    public async ValueTask<ObjectContent?> OpenFileAsync(string packageId, string logicalPath, int? version = null, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        var path = ObjectKey.Normalize(logicalPath, "logicalPath");
        var objectRoot = GetObjectRootOfNormalized(id);
        var view = await LoadViewAsync(id, objectRoot, cancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            return null;
        }

        var number = version ?? view.Head;
        if (number < 1 || number > view.Head || !view.StateAt(number).TryGetValue(path, out var digest))
        {
            return null;
        }

        var contentPath = view.ContentPath(digest)
            ?? throw new PackageCorruptException(id, path, $"no stored content is recorded for digest {digest}");
        var content = await _objects.GetAsync(objectRoot + contentPath, range, cancellationToken).ConfigureAwait(false)
            ?? throw new PackageCorruptException(id, contentPath, "the content file listed in the inventory is missing");

        var info = content.Info with { Sha256 = digest };
        if (range is not null)
        {
            return new ObjectContent(info, content.Stream, content.Range);
        }

        // Whole-file reads are verified on the fly: damaged content fails at its end instead of being served silently.
        var verifying = new HashingReadStream(content.Stream, ownsInner: true, digest, actual =>
            new PackageCorruptException(id, contentPath, $"content digest is {actual}, the inventory says {digest}"));
        return new ObjectContent(info, verifying, null);
    }
}
