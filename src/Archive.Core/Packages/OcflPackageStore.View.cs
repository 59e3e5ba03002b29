using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    private const string JournalRoot = "extensions/archive-journal/";
    private const string EntriesFolder = JournalRoot + "entries/";
    private const string FoldsFolder = JournalRoot + "folds/";
    private const string JournalContentFolder = JournalRoot + "content/";

    /// <summary>How a fold's OCFL version message begins (so that a reader that does not list the journal knows to read its fold documents).</summary>
    private const string FoldMessagePrefix = "Settles logical versions ";

    /// <summary>A live (not yet folded) journal entry and the SHA-256 of its stored bytes.</summary>
    private sealed record LiveEntry(JournalEntryDocument Document, string Digest);

    /// <summary>
    /// A package as its users see it: the OCFL versions, the journal entries each fold settled, and the live entries
    /// beyond the OCFL head, numbered as logical versions (the numbers the API, the feed and the audit trail use).
    /// Immutable once built.
    /// </summary>
    private sealed class PackageView
    {
        public required string Id { get; init; }

        public required LoadedInventory Ocfl { get; init; }

        /// <summary>The logical version each OCFL version ends with (index j - 1 for vj).</summary>
        public required int[] LogicalOfOcfl { get; init; }

        /// <summary>Fold documents by OCFL version number.</summary>
        public required IReadOnlyDictionary<int, JournalFoldDocument> Folds { get; init; }

        public required IReadOnlyList<LiveEntry> Live { get; init; }

        /// <summary>Content kept in the journal (live entries, and superseded content of folds): digest → (path relative to the object root, size).</summary>
        public required ImmutableDictionary<string, (string Path, long Size)> JournalContent { get; init; }

        /// <summary>The logical head's state: logical path → digest.</summary>
        public required IReadOnlyDictionary<string, string> HeadState { get; init; }

        public required Dictionary<string, string> OcflSizes { get; init; }

        public int OcflHead => Ocfl.HeadNumber;

        public int FoldedHead => LogicalOfOcfl[^1];

        public int Head => FoldedHead + Live.Count;

        public PackageInventory Inventory { get; private set; } = null!;

        /// <summary>
        /// The newest view of this line (this one and those <see cref="Append"/> made from it): what the file lists of
        /// its inventories' versions are computed from when asked for, so that a view replaced by the next change is not
        /// kept alive by them (any view of the line computes the same state for the versions it has).
        /// </summary>
        public ViewLine Line { get; private init; } = new();

        /// <summary>Builds <see cref="Inventory"/> from the versions and the journal (a view made from scratch).</summary>
        public void BuildInventory()
        {
            Line.Latest = this;
            var versions = new List<PackageVersion>(Head);
            var document = Ocfl.Document;
            var previous = 0;
            for (var j = 1; j <= OcflHead; j++)
            {
                if (Folds.TryGetValue(j, out var fold) && fold.Entries.Count > 0)
                {
                    versions.AddRange(fold.Entries.Select(e => Line.Version(e.Version, e.Created, e.Message, e.User)));
                }
                else
                {
                    var v = document.Versions[OcflInventoryDocument.VersionName(j)];
                    versions.Add(Line.Version(previous + 1, v.Created, v.Message, v.User));
                }

                previous = LogicalOfOcfl[j - 1];
            }

            versions.AddRange(Live.Select(l => Line.Version(l.Document.Version, l.Document.Created, l.Document.Message, l.Document.User)));
            var digest = Live.Count == 0
                ? (Folds.TryGetValue(OcflHead, out var last) && last.Entries.Count > 0 && last.EntryDigests.Count == last.Entries.Count
                    ? EntryTag(Id, last.Entries[^1].Version, last.EntryDigests[^1])
                    : Ocfl.Digest)
                : EntryTag(Id, Live[^1].Document.Version, Live[^1].Digest);
            Inventory = new PackageInventory { PackageId = Id, Head = Head, Versions = versions, InventoryDigest = digest };
        }

        /// <summary>
        /// The view after one more journal entry (<paramref name="headState"/>: the state it makes, as the commit computed
        /// it): the rest is this view's, extended — no replay of the live entries, no rebuild of the journal's content
        /// index or of the version list.
        /// </summary>
        public PackageView Append(LiveEntry entry, IReadOnlyDictionary<string, string> headState)
        {
            var document = entry.Document;
            var next = new PackageView
            {
                Id = Id,
                Ocfl = Ocfl,
                LogicalOfOcfl = LogicalOfOcfl,
                Folds = Folds,
                Live = [.. Live, entry],
                JournalContent = JournalContent.SetItems(document.Contents.Select(c => KeyValuePair.Create(c.Key, (c.Value, ContentSize(document, c.Key))))),
                HeadState = headState,
                OcflSizes = OcflSizes,
                Line = Line,
            };
            Line.Latest = next;
            next.Inventory = new PackageInventory
            {
                PackageId = Id,
                Head = next.Head,
                Versions = [.. Inventory.Versions, Line.Version(document.Version, document.Created, document.Message, document.User)],
                InventoryDigest = EntryTag(Id, document.Version, entry.Digest),
            };
            return next;
        }

        /// <summary>Where a digest's content is stored (relative to the object root), or null.</summary>
        public string? ContentPath(string digest)
            => Ocfl.Document.Manifest.TryGetValue(digest, out var paths) ? paths[0]
                : JournalContent.TryGetValue(digest, out var j) ? j.Path : null;

        public long Size(string digest)
        {
            if (Ocfl.Document.Manifest.TryGetValue(digest, out var paths))
            {
                return OcflSizes.TryGetValue(paths[0], out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : -1;
            }

            return JournalContent.TryGetValue(digest, out var j) ? j.Size : -1;
        }

        /// <summary>The state of logical version <paramref name="k"/> (1..Head): path → digest.</summary>
        public IReadOnlyDictionary<string, string> StateAt(int k)
        {
            if (k == Head)
            {
                return HeadState;
            }

            var j = Array.BinarySearch(LogicalOfOcfl, k);
            if (j >= 0)
            {
                return StateByPath(Ocfl.Document.Versions[OcflInventoryDocument.VersionName(j + 1)]);
            }

            // Made by an entry after OCFL version j (0: none): one of fold v(j+1), or a live one beyond the OCFL head. Its
            // state is version j's plus the entries up to k.
            j = ~j;
            var state = j == 0 ? new Dictionary<string, string>(StringComparer.Ordinal) : StateByPath(Ocfl.Document.Versions[OcflInventoryDocument.VersionName(j)]);
            foreach (var entry in j == OcflHead ? Live.Select(l => l.Document) : Folds[j + 1].Entries)
            {
                if (entry.Version > k)
                {
                    break;
                }

                Apply(state, entry);
            }

            return state;
        }

        public static void Apply(Dictionary<string, string> state, JournalEntryDocument entry)
        {
            foreach (var change in entry.Changes)
            {
                if (change.Sha256 is null)
                {
                    state.Remove(change.Path);
                }
                else
                {
                    state[change.Path] = change.Sha256;
                }
            }
        }
    }

    /// <summary>
    /// The package's view: the cached one while the root inventory is unchanged, else built from storage. A view is cached
    /// only under the package's lock (<paramref name="locked"/>: the caller holds it; otherwise it is taken to build one), so
    /// a read that listed the journal before a commit cannot put back a view older than that commit.
    /// </summary>
    private async Task<PackageView?> LoadViewAsync(string id, string objectRoot, CancellationToken cancellationToken, bool fromStorage = false, bool locked = false)
    {
        var loaded = await LoadAsync(id, objectRoot, cancellationToken, fromStorage).ConfigureAwait(false);
        if (loaded is null)
        {
            return null;
        }

        if (fromStorage || !CachesInventories)
        {
            // A shared root keeps no live journal (every change is a version; one left by a single host is folded at
            // start-up or by the next commit): its reads look for fold documents only where a version says it is a fold.
            var readsEntries = fromStorage || locked || !_options.SharedStorage;
            return await BuildViewAsync(id, objectRoot, loaded, cancellationToken, readsEntries).ConfigureAwait(false);
        }

        if (CachedView(objectRoot, loaded) is { } cached)
        {
            return cached;
        }

        if (locked)
        {
            var view = await BuildViewAsync(id, objectRoot, loaded, cancellationToken).ConfigureAwait(false);
            CacheView(objectRoot, loaded, view);
            return view;
        }

        var gate = Lock(objectRoot);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Under the lock the root inventory may have moved on (a fold): read it again.
            return await LoadViewAsync(id, objectRoot, cancellationToken, locked: true).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Reads the package's journal and builds its view on <paramref name="loaded"/>; without <paramref name="readsEntries"/>
    /// only the fold documents of versions whose message marks them as folds (no listing for a package that has none).
    /// </summary>
    private async Task<PackageView> BuildViewAsync(string id, string objectRoot, LoadedInventory loaded, CancellationToken cancellationToken, bool readsEntries = true)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        if (readsEntries)
        {
            // One delimited listing tells whether the package has a journal at all (most packages of a store without one have none).
            var page = await _objects.ListPageAsync(objectRoot + JournalRoot, new ObjectListOptions { Delimited = true }, cancellationToken).ConfigureAwait(false);
            folders.UnionWith(page.CommonPrefixes.Select(p => p[objectRoot.Length..]));
        }
        else if (loaded.Document.Versions.Values.Any(v => v.Message?.StartsWith(FoldMessagePrefix, StringComparison.Ordinal) == true))
        {
            folders.Add(FoldsFolder);
        }

        var folds = new Dictionary<int, JournalFoldDocument>();
        var live = new List<LiveEntry>();
        if (folders.Contains(FoldsFolder))
        {
            await foreach (var item in _objects.ListAsync(objectRoot + FoldsFolder, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var name = item.Key[(objectRoot.Length + FoldsFolder.Length)..];
                if (name.EndsWith(".json", StringComparison.Ordinal) && OcflInventoryDocument.ParseVersionName(name[..^5]) is { } j && j <= loaded.HeadNumber)
                {
                    var bytes = await ReadSmallAsync(item.Key, cancellationToken).ConfigureAwait(false);
                    var fold = ParseJournal(id, FoldsFolder + name, bytes, OcflJsonContext.Default.JournalFoldDocument);
                    foreach (var entry in fold.Entries)
                    {
                        CheckEntry(id, FoldsFolder + name, entry);
                    }

                    folds[j] = fold;
                }
            }
        }

        var logical = LogicalNumbers(id, loaded, folds);
        if (folders.Contains(EntriesFolder))
        {
            var candidates = new List<(int Version, string Digest, string Key)>();
            await foreach (var item in _objects.ListAsync(objectRoot + EntriesFolder, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (EntryNumber(item.Key[(objectRoot.Length + EntriesFolder.Length)..]) is { } n && n.Version > logical[^1])
                {
                    candidates.Add((n.Version, n.Digest, item.Key));
                }
            }

            // Live entries continue the folded head one by one and were made on the current root inventory; anything
            // else (left by a fold that crashed after its commit point, or by an earlier life of the package) is stale.
            foreach (var group in candidates.GroupBy(c => c.Version).OrderBy(g => g.Key))
            {
                if (group.Key != logical[^1] + live.Count + 1)
                {
                    break;
                }

                LiveEntry? found = null;
                foreach (var (_, digest, key) in group)
                {
                    var bytes = await ReadSmallAsync(key, cancellationToken).ConfigureAwait(false);
                    var path = key[objectRoot.Length..];
                    if (bytes is not null && Convert.ToHexStringLower(SHA256.HashData(bytes)) != digest)
                    {
                        throw new PackageCorruptException(id, path, $"the journal entry's digest is {Convert.ToHexStringLower(SHA256.HashData(bytes))}, its name says {digest}");
                    }

                    var entry = ParseJournal(id, path, bytes, OcflJsonContext.Default.JournalEntryDocument);
                    if (entry.Base == loaded.Digest && entry.Version == group.Key)
                    {
                        CheckEntry(id, path, entry);
                        if (found is not null)
                        {
                            throw new PackageCorruptException(id, path, $"two journal entries make logical version {group.Key}");
                        }

                        found = new LiveEntry(entry, digest);
                    }
                }

                if (found is null)
                {
                    break;
                }

                live.Add(found);
            }
        }

        return ComposeView(id, loaded, folds, live, logical);
    }

    private static T ParseJournal<T>(string id, string path, byte[]? bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return (bytes is null ? null : JsonSerializer.Deserialize(bytes, type))
                ?? throw new PackageCorruptException(id, path, "the journal file is missing or empty");
        }
        catch (JsonException ex)
        {
            throw new PackageCorruptException(id, path, "the journal file is not valid JSON: " + ex.Message);
        }
    }

    /// <summary>The logical version each OCFL version ends with: a fold ends with its last entry, any other version adds one.</summary>
    private static int[] LogicalNumbers(string id, LoadedInventory loaded, IReadOnlyDictionary<int, JournalFoldDocument> folds)
    {
        var logical = new int[Math.Max(1, loaded.HeadNumber)];
        var previous = 0;
        for (var j = 1; j <= loaded.HeadNumber; j++)
        {
            if (folds.TryGetValue(j, out var fold) && fold.Entries.Count > 0)
            {
                for (var i = 0; i < fold.Entries.Count; i++)
                {
                    if (fold.Entries[i].Version != previous + 1 + i)
                    {
                        throw new PackageCorruptException(id, FoldsFolder + OcflInventoryDocument.VersionName(j) + ".json", $"its entries do not continue logical version {previous}");
                    }
                }

                previous = fold.Entries[^1].Version;
            }
            else
            {
                previous++;
            }

            logical[j - 1] = previous;
        }

        return logical;
    }

    /// <summary>The logical version and digest an entry's name gives (<c>&lt;version, 10 digits&gt;-&lt;sha256 of its bytes&gt;.json</c>).</summary>
    private static (int Version, string Digest)? EntryNumber(string name)
        => name.Length == 10 + 1 + 64 + 5 && name[10] == '-' && name.EndsWith(".json", StringComparison.Ordinal)
           && int.TryParse(name.AsSpan(0, 10), NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0
           && name.AsSpan(11, 64).IndexOfAnyExcept("0123456789abcdef") < 0
            ? (k, name.Substring(11, 64))
            : null;

    /// <summary>An entry's object name: its version, and the SHA-256 of its bytes (so that a damaged entry is detected).</summary>
    private static string EntryName(int version, string digest) => version.ToString("D10", CultureInfo.InvariantCulture) + "-" + digest + ".json";

    /// <summary>An entry whose fields this store relies on are well-formed; a damaged one makes the package corrupt.</summary>
    private static void CheckEntry(string id, string path, JournalEntryDocument entry)
    {
        if (!DateTimeOffset.TryParse(entry.Created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            || entry.Changes.Any(c => string.IsNullOrEmpty(c.Path) || c.Sha256 is { Length: not 64 })
            || entry.Contents.Any(c => c.Key.Length != 64 || string.IsNullOrEmpty(c.Value)))
        {
            throw new PackageCorruptException(id, path, "the journal entry is not well-formed");
        }
    }

    /// <summary>Builds the view (and the <see cref="PackageInventory"/> it answers with, files listed on demand).</summary>
    private static PackageView ComposeView(string id, LoadedInventory loaded, IReadOnlyDictionary<int, JournalFoldDocument> folds, IReadOnlyList<LiveEntry> live, int[]? logical = null)
    {
        logical ??= LogicalNumbers(id, loaded, folds);
        var journal = ImmutableDictionary.CreateBuilder<string, (string Path, long Size)>(StringComparer.Ordinal);
        var manifest = loaded.Document.Manifest;
        foreach (var entry in folds.Values.SelectMany(f => f.Entries).Concat(live.Select(l => l.Document)))
        {
            foreach (var (digest, path) in entry.Contents)
            {
                if (!manifest.ContainsKey(digest))
                {
                    journal.TryAdd(digest, (path, ContentSize(entry, digest)));
                }
            }
        }

        var head = loaded.HeadNumber == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : StateByPath(loaded.Document.Versions[OcflInventoryDocument.VersionName(loaded.HeadNumber)]);
        foreach (var entry in live)
        {
            PackageView.Apply(head, entry.Document);
        }

        var view = new PackageView
        {
            Id = id,
            Ocfl = loaded,
            LogicalOfOcfl = logical,
            Folds = folds,
            Live = live,
            JournalContent = journal.ToImmutable(),
            HeadState = head,
            OcflSizes = SizesByContentPath(loaded.Document),
        };
        view.BuildInventory();
        return view;
    }

    /// <summary>The size an entry records for content it stored.</summary>
    private static long ContentSize(JournalEntryDocument entry, string digest) => entry.Changes.FirstOrDefault(c => c.Sha256 == digest)?.Size ?? -1;

    /// <summary>
    /// The tag (<see cref="PackageInventory.InventoryDigest"/>) of a logical version made by a journal entry: the same
    /// before and after the entry is folded, so a fold changes no caller's view of the package.
    /// </summary>
    private static string EntryTag(string id, int version, string entryDigest)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"archive-journal\n{id}\n{version}\n{entryDigest}")));

    /// <summary>A line of views (see <see cref="PackageView.Line"/>) and the versions its inventories list.</summary>
    private sealed class ViewLine
    {
        public PackageView Latest { get; set; } = null!;

        /// <summary>Logical version <paramref name="k"/>, its file list computed from the line's newest view when asked for.</summary>
        public PackageVersion Version(int k, string created, string? message, OcflUserDocument? user) => new()
        {
            Number = k,
            Created = DateTimeOffset.Parse(created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            Message = message,
            UserName = user?.Name,
            UserAddress = user?.Address,
            Files = new LazyFiles(() => FilesOf(Latest, k)),
        };
    }

    private static List<PackageFile> FilesOf(PackageView view, int k)
    {
        var files = view.StateAt(k).Select(p => new PackageFile(p.Key, p.Value, view.Size(p.Value))).ToList();
        files.Sort((a, b) => string.CompareOrdinal(a.LogicalPath, b.LogicalPath));
        return files;
    }

    /// <summary>A version's file list, computed when first asked for (a package's history is rarely read whole).</summary>
    private sealed class LazyFiles(Func<List<PackageFile>> make) : IReadOnlyList<PackageFile>
    {
        private readonly Lazy<List<PackageFile>> _files = new(make, LazyThreadSafetyMode.ExecutionAndPublication);

        public int Count => _files.Value.Count;

        public PackageFile this[int index] => _files.Value[index];

        public IEnumerator<PackageFile> GetEnumerator() => _files.Value.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
