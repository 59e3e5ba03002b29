using Archive.IO;
using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Archive.Handover;

/// <summary>Kinds of problem found in a bag.</summary>
public enum BagProblemKind
{
    /// <summary>A required tag file (bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt) is missing or unreadable.</summary>
    MissingTagFile,

    /// <summary>A manifest line cannot be parsed, names a path twice or names an unsafe path.</summary>
    BadManifest,

    /// <summary>A file listed in a manifest is not in the bag.</summary>
    MissingFile,

    /// <summary>A file is in the bag but in no manifest.</summary>
    ExtraFile,

    /// <summary>A file's SHA-256 is not the manifest's.</summary>
    ChecksumMismatch,

    /// <summary>Payload-Oxum does not match the payload.</summary>
    OxumMismatch,

    /// <summary>The seal (detached CMS signature of the tag manifest) is missing, invalid, or not by the expected signer.</summary>
    Signature,

    /// <summary>A symbolic link, hard link, device or other non-regular entry.</summary>
    LinkOrSpecialFile,

    /// <summary>An unsafe entry name: absolute, <c>..</c>, backslash, drive letter, control character, duplicate.</summary>
    UnsafePath,

    /// <summary>An entry or the whole package exceeds the configured limit.</summary>
    TooLarge,

    /// <summary>The tar archive is truncated or corrupt.</summary>
    Corrupt,

    /// <summary>The bag is valid but does not fit this receipt (wrong receiving agency, unknown fonds, ...).</summary>
    Mismatch,

    /// <summary>An export was interrupted: the incomplete marker is present.</summary>
    Incomplete,
}

/// <summary>One problem.</summary>
/// <param name="Kind">What.</param>
/// <param name="Path">The path concerned (relative to the bag), when there is one.</param>
/// <param name="Detail">For a person.</param>
public sealed record BagProblem(BagProblemKind Kind, string? Path, string Detail);

/// <summary>Outcome of verifying a bag.</summary>
public sealed record BagVerification
{
    /// <summary>Every problem; empty when the bag is complete, valid and (when required) sealed by the expected signer.</summary>
    public required IReadOnlyList<BagProblem> Problems { get; init; }

    /// <summary>bag-info.txt labels and values (repeated labels keep every value).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Info { get; init; }

    /// <summary>Payload files checked.</summary>
    public int PayloadFiles { get; init; }

    /// <summary>Payload bytes checked.</summary>
    public long PayloadBytes { get; init; }

    /// <summary>The record files the bag's catalogue lists (finished and unfinished), once the bag verified; empty otherwise.</summary>
    public IReadOnlyList<string> FileCodes { get; init; } = [];

    /// <summary>Subject of the certificate that sealed the bag, when the seal is valid.</summary>
    public string? Signer { get; init; }

    /// <summary>Whether the bag passed every check.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The first value of a bag-info label, or null.</summary>
    public string? InfoValue(string label) => Info.FirstOrDefault(kv => string.Equals(kv.Key, label, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// BagIt 1.0 (RFC 8493) with SHA-256 manifests, plus the seal (niêm phong): a detached CMS signature of
/// <c>tagmanifest-sha256.txt</c> by the handing agency's certificate, stored as <see cref="SealFile"/>. The seal is a
/// tag file that is deliberately not listed in the tag manifest (it signs the tag manifest, so it cannot be listed in
/// it); RFC 8493 allows tag files that no tag manifest lists, and the verifier accepts no other unlisted file.
/// </summary>
public static class BagIt
{
    /// <summary>bagit.txt.</summary>
    public const string DeclarationFile = "bagit.txt";

    /// <summary>bag-info.txt.</summary>
    public const string InfoFile = "bag-info.txt";

    /// <summary>Payload manifest.</summary>
    public const string ManifestFile = "manifest-sha256.txt";

    /// <summary>Tag manifest.</summary>
    public const string TagManifestFile = "tagmanifest-sha256.txt";

    /// <summary>The seal: detached CMS (PKCS #7) signature of the tag manifest.</summary>
    public const string SealFile = "tagmanifest-sha256.txt.p7s";

    /// <summary>Present while an export is running; an interrupted export keeps it, so the folder is never taken for a bag.</summary>
    public const string IncompleteMarker = "BAG-INCOMPLETE.txt";

    /// <summary>The content of bagit.txt.</summary>
    public const string Declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

    private const int BufferSize = 81920;

    /// <summary>
    /// Packs a package folder into <paramref name="tarPath"/>: every file in ordinal path order under one top folder
    /// named like the tar file (without extension), written to <c>&lt;tarPath&gt;.partial</c>, flushed to disk and only
    /// then renamed; the folder is removed afterwards. An interrupted call leaves only the <c>.partial</c> file.
    /// </summary>
    internal static async Task PackFolderAsTarAsync(string folder, string tarPath, CancellationToken cancellationToken)
    {
        var partial = tarPath + ".partial";
        var top = Path.GetFileNameWithoutExtension(tarPath);
        var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var rel = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
                    await writer.WriteEntryAsync(file, top + "/" + rel, cancellationToken).ConfigureAwait(false);
                }
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(partial, tarPath);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// The root of a package extracted by <see cref="ExtractTarAsync"/>: the staging folder itself when it holds
    /// <paramref name="markerFile"/>, else its only sub-folder when it holds nothing else (a tar with one top folder).
    /// </summary>
    internal static string PackageRoot(string staging, string markerFile)
        => File.Exists(Path.Combine(staging, markerFile))
            ? staging
            : Directory.GetDirectories(staging) is [var only] && Directory.GetFiles(staging).Length == 0 ? only : staging;

    /// <summary>
    /// Extracts a tar file into <paramref name="staging"/>, refusing (and stopping at) the first hostile entry:
    /// unsafe names (absolute, '..', backslash, drive letter, control characters), duplicates, links, devices and
    /// other non-regular entries, oversize entries or totals, too many entries, truncated data.
    /// </summary>
    /// <param name="tarPath">The tar file.</param>
    /// <param name="staging">An empty folder to extract into.</param>
    /// <param name="maxEntries">Most entries accepted.</param>
    /// <param name="maxFileBytes">Largest file accepted.</param>
    /// <param name="maxTotalBytes">Most bytes accepted in all.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>The problems found; empty when every entry was extracted.</returns>
    internal static async ValueTask<List<BagProblem>> ExtractTarAsync(string tarPath, string staging, int maxEntries, long maxFileBytes, long maxTotalBytes, CancellationToken cancellationToken)
    {
        var problems = new List<BagProblem>();
        var root = Path.GetFullPath(staging);
        Directory.CreateDirectory(root);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        var count = 0;
        var input = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            var reader = new TarReader(input, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                try
                {
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        var raw = entry.Name;
                        var name = (raw.StartsWith("./", StringComparison.Ordinal) ? raw[2..] : raw).TrimEnd('/').Normalize(NormalizationForm.FormC);
                        if (++count > maxEntries)
                        {
                            problems.Add(new(BagProblemKind.TooLarge, null, $"More than {maxEntries} entries."));
                            break;
                        }

                        if (BagIt.UnsafeReason(name) is { } why)
                        {
                            problems.Add(new(BagProblemKind.UnsafePath, raw, why + "."));
                            break;
                        }

                        if (entry.EntryType is TarEntryType.Directory)
                        {
                            continue;
                        }

                        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                        {
                            problems.Add(new(BagProblemKind.LinkOrSpecialFile, raw, $"Tar entry of type {entry.EntryType}: only regular files and folders are accepted."));
                            break;
                        }

                        if (!names.Add(name))
                        {
                            problems.Add(new(BagProblemKind.UnsafePath, raw, "The name occurs twice."));
                            break;
                        }

                        if (entry.Length > maxFileBytes || (total += entry.Length) > maxTotalBytes)
                        {
                            problems.Add(new(BagProblemKind.TooLarge, raw, $"{entry.Length} bytes: over the limit ({maxFileBytes} per file, {maxTotalBytes} in all)."));
                            break;
                        }

                        var target = Path.GetFullPath(Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar)));
                        if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        {
                            problems.Add(new(BagProblemKind.UnsafePath, raw, "Would be written outside the package."));
                            break;
                        }

                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                        await using (output.ConfigureAwait(false))
                        {
                            if (entry.DataStream is { } data)
                            {
                                await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                            }
                        }

                        if (new FileInfo(target).Length != entry.Length)
                        {
                            problems.Add(new(BagProblemKind.Corrupt, raw, "Truncated entry."));
                            break;
                        }
                    }
                }
                catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or IOException)
                {
                    problems.Add(new(BagProblemKind.Corrupt, Path.GetFileName(tarPath), "The tar archive is truncated or corrupt: " + ex.Message));
                }
            }
        }

        return problems;
    }

    /// <summary>Encodes a path for a manifest line (RFC 8493 §2.1.3: CR, LF and % percent-encoded).</summary>
    public static string EncodePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Replace("%", "%25", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal);
    }

    /// <summary>Decodes a manifest path.</summary>
    public static string DecodePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Replace("%0A", "\n", StringComparison.OrdinalIgnoreCase).Replace("%0D", "\r", StringComparison.OrdinalIgnoreCase).Replace("%25", "%", StringComparison.Ordinal);
    }

    /// <summary>Why a relative path (with '/') is unsafe, or null when it is safe.</summary>
    public static string? UnsafeReason(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "empty name";
        }

        if (path.StartsWith('/') || path.StartsWith('\\'))
        {
            return "absolute path";
        }

        if (path.Length >= 2 && path[1] == ':')
        {
            return "drive letter";
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return "backslash in name";
        }

        if (path.Any(char.IsControl))
        {
            return "control character in name";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "empty path segment";
            }

            if (segment is "." or "..")
            {
                return "'.' or '..' segment (path traversal)";
            }
        }

        return null;
    }

    /// <summary>Seals a bag: signs its tag manifest with <paramref name="certificate"/> (which must hold its private key).</summary>
    public static async ValueTask SealAsync(string bagFolder, X509Certificate2 certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bagFolder);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArchiveValidationException("certificate", "seal.private-key-required", "Sealing needs the handing agency's certificate with its private key.");
        }

        var tagManifest = await File.ReadAllBytesAsync(Path.Combine(bagFolder, TagManifestFile), cancellationToken).ConfigureAwait(false);
        await WriteAtomicAsync(Path.Combine(bagFolder, SealFile), SealTrust.SignDetached(tagManifest, certificate), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies a bag folder: declaration, every payload and tag checksum, Payload-Oxum, no missing and no extra
    /// file, no link, and the seal — required when <paramref name="expectedSigner"/> is given, and then by that very
    /// certificate.
    /// </summary>
    public static ValueTask<BagVerification> VerifyAsync(string bagFolder, X509Certificate2? expectedSigner = null, long maxFileBytes = long.MaxValue, CancellationToken cancellationToken = default)
        => VerifyAsync(bagFolder, expectedSigner is null ? SealTrust.None : SealTrust.Pinned(expectedSigner), maxFileBytes, cancellationToken);

    /// <summary>
    /// Verifies a bag folder like <see cref="VerifyAsync(string, X509Certificate2?, long, CancellationToken)"/>, the
    /// seal against a trust list: required when <see cref="SealTrust.RequireSeal"/>, its signer one of (or issued by
    /// one of) <see cref="SealTrust.Anchors"/>.
    /// </summary>
    public static async ValueTask<BagVerification> VerifyAsync(string bagFolder, SealTrust trust, long maxFileBytes = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(bagFolder);
        var root = Path.GetFullPath(bagFolder);
        var problems = new List<BagProblem>();
        var info = new List<KeyValuePair<string, string>>();

        // Everything on disk, relative, with '/'. Links are problems (never followed).
        var onDisk = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            problems.Add(new(BagProblemKind.MissingTagFile, null, $"'{bagFolder}' is not a folder."));
            return new BagVerification { Problems = problems, Info = info };
        }

        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        while (pending.Count > 0)
        {
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos())
            {
                var rel = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (entry.LinkTarget is not null)
                {
                    problems.Add(new(BagProblemKind.LinkOrSpecialFile, rel, "Symbolic link: not allowed in a bag."));
                }
                else if (entry is DirectoryInfo d)
                {
                    pending.Push(d);
                }
                else if (entry is FileInfo f)
                {
                    onDisk.Add(rel.Normalize(NormalizationForm.FormC));
                    if (f.Length > maxFileBytes)
                    {
                        problems.Add(new(BagProblemKind.TooLarge, rel, $"{f.Length} bytes: over the limit of {maxFileBytes}."));
                    }
                }
            }
        }

        if (onDisk.Contains(IncompleteMarker))
        {
            problems.Add(new(BagProblemKind.Incomplete, IncompleteMarker, "The export that wrote this bag did not finish."));
        }

        foreach (var required in new[] { DeclarationFile, InfoFile, ManifestFile, TagManifestFile })
        {
            if (!onDisk.Contains(required))
            {
                problems.Add(new(BagProblemKind.MissingTagFile, required, "Required tag file is missing."));
            }
        }

        if (onDisk.Contains(DeclarationFile))
        {
            var declaration = await File.ReadAllTextAsync(Path.Combine(root, DeclarationFile), cancellationToken).ConfigureAwait(false);
            if (!declaration.StartsWith("BagIt-Version: ", StringComparison.Ordinal) || !declaration.Contains("Tag-File-Character-Encoding: UTF-8", StringComparison.Ordinal))
            {
                problems.Add(new(BagProblemKind.MissingTagFile, DeclarationFile, "bagit.txt does not declare BagIt-Version and UTF-8."));
            }
        }

        if (onDisk.Contains(InfoFile))
        {
            foreach (var line in (await File.ReadAllTextAsync(Path.Combine(root, InfoFile), cancellationToken).ConfigureAwait(false)).Split('\n'))
            {
                var l = line.TrimEnd('\r');
                var colon = l.IndexOf(':', StringComparison.Ordinal);
                if (l.Length > 0 && !char.IsWhiteSpace(l[0]) && colon > 0)
                {
                    info.Add(new(l[..colon].Trim(), l[(colon + 1)..].Trim()));
                }
            }
        }

        var payload = await ReadManifestAsync(root, ManifestFile, onDisk, payload: true, problems, cancellationToken).ConfigureAwait(false);
        var tags = await ReadManifestAsync(root, TagManifestFile, onDisk, payload: false, problems, cancellationToken).ConfigureAwait(false);

        // Missing and extra files.
        foreach (var p in payload.Keys.Concat(tags.Keys).Where(p => !onDisk.Contains(p)))
        {
            problems.Add(new(BagProblemKind.MissingFile, p, "Listed in a manifest but not in the bag."));
        }

        foreach (var p in onDisk.Where(p => !payload.ContainsKey(p) && !tags.ContainsKey(p) && p is not (TagManifestFile or SealFile or IncompleteMarker)).Order(StringComparer.Ordinal))
        {
            problems.Add(new(BagProblemKind.ExtraFile, p, p.StartsWith("data/", StringComparison.Ordinal) ? "Payload file not in the manifest." : "Tag file not in the tag manifest."));
        }

        foreach (var required in new[] { DeclarationFile, InfoFile, ManifestFile })
        {
            if (onDisk.Contains(required) && !tags.ContainsKey(required))
            {
                problems.Add(new(BagProblemKind.BadManifest, required, "Not covered by the tag manifest."));
            }
        }

        // Checksums, streamed.
        long bytes = 0;
        var files = 0;
        foreach (var (path, expected) in payload.Concat(tags))
        {
            if (!onDisk.Contains(path))
            {
                continue;
            }

            var (sha, length) = await FileHashing.HashFileAsync(Path.Combine(root, path), cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha, expected, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new(BagProblemKind.ChecksumMismatch, path, $"SHA-256 is {sha}, the manifest says {expected}."));
            }

            if (payload.ContainsKey(path))
            {
                bytes += length;
                files++;
            }
        }

        var oxum = info.FirstOrDefault(kv => kv.Key.Equals("Payload-Oxum", StringComparison.OrdinalIgnoreCase)).Value;
        var actualOxum = string.Create(CultureInfo.InvariantCulture, $"{bytes}.{files}");
        if (oxum is null)
        {
            problems.Add(new(BagProblemKind.OxumMismatch, InfoFile, "Payload-Oxum is missing."));
        }
        else if (!string.Equals(oxum, actualOxum, StringComparison.Ordinal) && payload.Keys.All(onDisk.Contains))
        {
            problems.Add(new(BagProblemKind.OxumMismatch, InfoFile, $"Payload-Oxum says {oxum}, the payload is {actualOxum}."));
        }

        // The seal.
        string? signerName = null;
        var sealPath = Path.Combine(root, SealFile);
        if (onDisk.Contains(SealFile) && onDisk.Contains(TagManifestFile))
        {
            var (signer, problem) = trust.CheckDetached(
                await File.ReadAllBytesAsync(Path.Combine(root, TagManifestFile), cancellationToken).ConfigureAwait(false),
                await File.ReadAllBytesAsync(sealPath, cancellationToken).ConfigureAwait(false));
            if (problem is not null)
            {
                problems.Add(new(BagProblemKind.Signature, SealFile, problem));
            }

            signerName = signer;
        }
        else if (trust.RequireSeal)
        {
            problems.Add(new(BagProblemKind.Signature, SealFile, "The bag is not sealed."));
        }

        return new BagVerification { Problems = problems, Info = info, PayloadFiles = files, PayloadBytes = bytes, Signer = problems.Count == 0 ? signerName : null };
    }

    /// <summary>
    /// <paramref name="relative"/> ('/'-separated) under <paramref name="root"/>, its folder created; refuses a path that
    /// would land outside (<paramref name="what"/> names the container in the message: bag, package).
    /// </summary>
    internal static string TargetUnder(string root, string relative, string what)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArchiveException($"'{relative}' would be written outside the {what}.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    internal static async ValueTask WriteAtomicAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var part = path + ".part";
        await File.WriteAllBytesAsync(part, content, cancellationToken).ConfigureAwait(false);
        File.Move(part, path, overwrite: true);
    }

    private static async ValueTask<Dictionary<string, string>> ReadManifestAsync(string root, string name, HashSet<string> onDisk, bool payload, List<BagProblem> problems, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!onDisk.Contains(name))
        {
            return entries;
        }

        var lineNo = 0;
        foreach (var raw in (await File.ReadAllTextAsync(Path.Combine(root, name), cancellationToken).ConfigureAwait(false)).Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.IndexOfAny([' ', '\t']);
            var sha = space > 0 ? line[..space] : string.Empty;
            var path = space > 0 ? DecodePath(line[(space + 1)..].TrimStart(' ', '\t')).Normalize(NormalizationForm.FormC) : string.Empty;
            if (sha.Length != 64 || !sha.All(Uri.IsHexDigit))
            {
                problems.Add(new(BagProblemKind.BadManifest, name, $"Line {lineNo} is not '<sha256> <path>'."));
                continue;
            }

            if (UnsafeReason(path) is { } why)
            {
                problems.Add(new(BagProblemKind.UnsafePath, path, $"{name} line {lineNo}: {why}."));
                continue;
            }

            if (payload != path.StartsWith("data/", StringComparison.Ordinal))
            {
                problems.Add(new(BagProblemKind.BadManifest, path, payload ? "The payload manifest lists a file outside data/." : "The tag manifest lists a payload file."));
                continue;
            }

            if (!payload && path is TagManifestFile or SealFile)
            {
                problems.Add(new(BagProblemKind.BadManifest, path, "The tag manifest cannot list itself or the seal."));
                continue;
            }

            if (!entries.TryAdd(path, sha.ToLowerInvariant()))
            {
                problems.Add(new(BagProblemKind.BadManifest, path, $"{name} lists the path twice."));
            }
        }

        return entries;
    }
}
