using System.Text;

namespace Archive.Storage.FileSystem;

public sealed partial class FileSystemObjectStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The continuation token is the last key (or common prefix) returned. A page walks the folder tree depth-first in
    /// ordinal key order, skipping whole subtrees that sort before the token, so resuming costs one folder listing
    /// per level of the token's path, not a walk of everything before it. Folders sort as their name plus '/', which
    /// makes the folder walk agree with ordinal order of whole keys ("a-b" &lt; "a/x" &lt; "a0").
    /// </remarks>
    public ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default)
    {
        prefix = ObjectKey.NormalizePrefix(prefix);
        options ??= new ObjectListOptions();
        if (options.PageSize is < 1 or > 1000)
        {
            throw new ArchiveValidationException("pageSize", "list.page-size", "The page size must be between 1 and 1000.");
        }

        var after = options.ContinuationToken;
        if (after is not null && (!after.StartsWith(prefix, StringComparison.Ordinal) || after.Length == 0))
        {
            throw new ArchiveValidationException("continuationToken", "list.token-invalid", "The continuation token does not belong to this listing.");
        }

        ThrowIfDisposed();
        try
        {
            var slash = prefix.LastIndexOf('/');
            var folderKey = slash < 0 ? string.Empty : prefix[..(slash + 1)];
            var namePrefix = prefix[(slash + 1)..];
            var folder = folderKey.Length == 0 ? _objectsRoot : Path.Combine(_objectsRoot, ToRelativePath(folderKey.TrimEnd('/')));

            var items = new List<ObjectInfo>();
            var prefixes = new List<string>();
            string? last = null;
            var more = false;
            foreach (var entry in Walk(folder, folderKey, namePrefix, after, options.Delimited, cancellationToken))
            {
                if (items.Count + prefixes.Count == options.PageSize)
                {
                    more = true;
                    break;
                }

                if (entry.IsPrefix)
                {
                    prefixes.Add(entry.Key);
                }
                else
                {
                    items.Add(ToInfo(entry.Key, entry.File!.Length, entry.File.LastWriteTimeUtc, ReadSidecar(MetaPath(entry.Key))));
                }

                last = entry.Key;
            }

            return ValueTask.FromResult(new ObjectListPage(items, prefixes, more ? last : null));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "list", prefix, ex.Message, ex);
        }
    }

    private readonly record struct ListEntry(string Key, bool IsPrefix, FileInfo? File);

    private readonly record struct FolderEntry(string Name, string SortKey, FileSystemInfo Info, bool IsFolder);

    /// <summary>Entries of <paramref name="folder"/> (whose key prefix is <paramref name="folderKey"/>) after <paramref name="after"/>, in ordinal key order.</summary>
    private IEnumerable<ListEntry> Walk(string folder, string folderKey, string namePrefix, string? after, bool delimited, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var entry in ReadFolder(folder, folderKey, namePrefix))
        {
            if (entry.IsFolder)
            {
                if (delimited)
                {
                    if (after is not null && string.CompareOrdinal(entry.SortKey, after) <= 0)
                    {
                        continue;
                    }

                    if (ContainsObject(entry.Info.FullName, cancellationToken))
                    {
                        yield return new ListEntry(entry.SortKey, true, null);
                    }

                    continue;
                }

                // Every key below starts with SortKey: the subtree lies entirely before the token unless the token is inside it.
                var tokenInside = after is not null && after.StartsWith(entry.SortKey, StringComparison.Ordinal);
                if (after is not null && !tokenInside && string.CompareOrdinal(entry.SortKey, after) < 0)
                {
                    continue;
                }

                foreach (var child in Walk(entry.Info.FullName, entry.SortKey, string.Empty, tokenInside ? after : null, delimited: false, cancellationToken))
                {
                    yield return child;
                }
            }
            else if (after is null || string.CompareOrdinal(entry.SortKey, after) > 0)
            {
                yield return new ListEntry(entry.SortKey, false, (FileInfo)entry.Info);
            }
        }
    }

    /// <summary>The valid entries of one folder, sorted as keys sort (folders as name + '/').</summary>
    private static List<FolderEntry> ReadFolder(string folder, string folderKey, string namePrefix)
    {
        var result = new List<FolderEntry>();
        var dir = new DirectoryInfo(folder);
        if (!dir.Exists)
        {
            return result;
        }

        try
        {
            foreach (var info in dir.EnumerateFileSystemInfos())
            {
                var name = info.Name;
                if (!name.StartsWith(namePrefix, StringComparison.Ordinal) || !IsValidSegment(name) || info.LinkTarget is not null)
                {
                    continue;
                }

                var isFolder = info is DirectoryInfo;
                result.Add(new FolderEntry(name, isFolder ? folderKey + name + "/" : folderKey + name, info, isFolder));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed concurrently (its last object was deleted): it has no entries.
            return [];
        }

        result.Sort((a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        return result;
    }

    /// <summary>Whether a folder holds at least one object (a crash can leave empty folders behind).</summary>
    private static bool ContainsObject(string folder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dir = new DirectoryInfo(folder);
        try
        {
            foreach (var info in dir.EnumerateFileSystemInfos())
            {
                if (!IsValidSegment(info.Name) || info.LinkTarget is not null)
                {
                    continue;
                }

                if (info is FileInfo || ContainsObject(info.FullName, cancellationToken))
                {
                    return true;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }

        return false;
    }

    /// <summary>A file name that is a valid, already-normalised key segment (anything else was not written by the store).</summary>
    private static bool IsValidSegment(string name)
    {
        if (name is "." or "..")
        {
            return false;
        }

        try
        {
            return name.IsNormalized(NormalizationForm.FormC) && ObjectKey.Normalize(name) == name;
        }
        catch (Exception ex) when (ex is ArchiveValidationException or ArgumentException)
        {
            return false;
        }
    }
}
