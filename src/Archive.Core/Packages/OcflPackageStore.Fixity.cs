using System.Security.Cryptography;
using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <inheritdoc />
    public async ValueTask<FixityReport> VerifyAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        var objectRoot = GetObjectRootOfNormalized(id);
        var problems = new List<FixityProblem>();
        var checkedAt = DateTimeOffset.UtcNow;
        var filesChecked = 0;
        long bytesChecked = 0;

        // Inventories.
        var rootBytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
        if (rootBytes is null)
        {
            problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, InventoryName, "missing: the package has no committed version"));
            return Report();
        }

        var reference = OcflInventoryDocument.Parse(rootBytes);
        var rootProblem = await CheckInventoryFileAsync(objectRoot, string.Empty, rootBytes, cancellationToken).ConfigureAwait(false);
        if (rootProblem is not null)
        {
            problems.Add(rootProblem);
        }

        var structure = CheckDocument(id, reference);
        if (structure is not null)
        {
            problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, InventoryName, structure));
            reference = await FindLatestValidVersionInventoryAsync(id, objectRoot, cancellationToken).ConfigureAwait(false);
            if (reference is null)
            {
                return Report();
            }
        }

        var head = OcflInventoryDocument.ParseVersionName(reference!.Head)!.Value;
        var expected = new HashSet<string>(StringComparer.Ordinal) { ObjectNamaste, InventoryName, SidecarName };
        for (var i = 1; i <= head; i++)
        {
            var name = OcflInventoryDocument.VersionName(i);
            expected.Add(name + "/" + InventoryName);
            expected.Add(name + "/" + SidecarName);
            var bytes = await ReadSmallAsync(objectRoot + name + "/" + InventoryName, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, name + "/" + InventoryName, "missing"));
                continue;
            }

            var problem = await CheckInventoryFileAsync(objectRoot, name + "/", bytes, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                problems.Add(problem);
            }
            else if (i == head && !bytes.AsSpan().SequenceEqual(rootBytes) && rootProblem is null)
            {
                problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, name + "/" + InventoryName, "the head version's inventory differs from inventory.json"));
            }
        }

        // Content.
        foreach (var (digest, paths) in reference.Manifest)
        {
            foreach (var contentPath in paths)
            {
                expected.Add(contentPath);
                await RehashAsync(contentPath, digest).ConfigureAwait(false);
            }
        }

        // The journal: live entries, the folds of committed versions and the content they keep, re-hashed like the rest.
        if (structure is null && rootProblem is null)
        {
            try
            {
                var view = await LoadViewAsync(id, objectRoot, cancellationToken, fromStorage: true).ConfigureAwait(false);
                expected.UnionWith(JournalKeys(view!));
                foreach (var (digest, (path, _)) in view!.JournalContent)
                {
                    await RehashAsync(path, digest).ConfigureAwait(false);
                }
            }
            catch (PackageCorruptException ex)
            {
                problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, ex.Path, ex.Message));
            }
        }

        if (await _objects.StatAsync(objectRoot + ObjectNamaste, cancellationToken).ConfigureAwait(false) is null)
        {
            problems.Add(new FixityProblem(FixityProblemKind.ContentMissing, ObjectNamaste, "the OCFL object declaration is missing"));
        }

        // Anything else stored under the object root.
        await foreach (var item in _objects.ListAsync(objectRoot, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var relative = item.Key[objectRoot.Length..];
            if (!expected.Contains(relative))
            {
                problems.Add(new FixityProblem(FixityProblemKind.UnexpectedFile, relative, $"not referenced by any inventory ({item.Length} bytes)"));
            }
        }

        return Report();

        // Re-hashes one stored content file against its digest and records what is wrong with it.
        async Task RehashAsync(string contentPath, string digest)
        {
            await using var content = await _objects.GetAsync(objectRoot + contentPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                problems.Add(new FixityProblem(FixityProblemKind.ContentMissing, contentPath, $"missing (expected sha256 {digest})"));
                return;
            }

            await using var hashing = new HashingReadStream(content.Stream, ownsInner: false);
            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            filesChecked++;
            bytesChecked += hashing.BytesRead;
            if (hashing.Sha256 != digest)
            {
                problems.Add(new FixityProblem(FixityProblemKind.ContentDigestMismatch, contentPath, $"expected sha256 {digest}, found {hashing.Sha256} ({hashing.BytesRead} bytes)"));
            }
        }

        FixityReport Report() => new()
        {
            PackageId = id,
            CheckedAt = checkedAt,
            FilesChecked = filesChecked,
            BytesChecked = bytesChecked,
            Problems = problems,
        };
    }

    private async Task<FixityProblem?> CheckInventoryFileAsync(string objectRoot, string folder, byte[] bytes, CancellationToken cancellationToken)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var sidecar = await ReadSidecarDigestAsync(objectRoot + folder + SidecarName, cancellationToken).ConfigureAwait(false);
        if (sidecar is null)
        {
            return new FixityProblem(FixityProblemKind.InventoryCorrupt, folder + SidecarName, "missing");
        }

        return sidecar == digest
            ? null
            : new FixityProblem(FixityProblemKind.InventoryCorrupt, folder + InventoryName, $"sha256 is {digest}, its sidecar says {sidecar}");
    }

    private async Task<OcflInventoryDocument?> FindLatestValidVersionInventoryAsync(string id, string objectRoot, CancellationToken cancellationToken)
    {
        var numbers = new List<int>();
        await foreach (var folder in ListLevelAsync(objectRoot, null, tuple: false, cancellationToken).ConfigureAwait(false))
        {
            if (OcflInventoryDocument.ParseVersionName(folder[objectRoot.Length..^1]) is { } n)
            {
                numbers.Add(n);
            }
        }

        foreach (var n in numbers.OrderDescending())
        {
            var name = OcflInventoryDocument.VersionName(n);
            var bytes = await ReadSmallAsync(objectRoot + name + "/" + InventoryName, cancellationToken).ConfigureAwait(false);
            if (bytes is null || await CheckInventoryFileAsync(objectRoot, name + "/", bytes, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var document = OcflInventoryDocument.Parse(bytes);
            if (CheckDocument(id, document) is null && document!.Head == name)
            {
                return document;
            }
        }

        return null;
    }
}
