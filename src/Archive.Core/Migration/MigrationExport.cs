using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Archive.Handover;

namespace Archive.Migration;

/// <summary>
/// Unpacks a ZIP or tar export into a scratch folder — regular files and folders only: a link (symbolic or hard), a
/// device, a FIFO, an absolute name, a name climbing out (<c>..</c>, zip-slip) or a name given twice refuses the whole
/// export (every such entry reported, nothing imported) — and resolves the content paths of a manifest inside an export
/// folder without following links out of it.
/// </summary>
internal static class MigrationExport
{
    private const int MaxReported = 1000;

    /// <summary>Zip, tar or gzip-compressed tar, from the first bytes; null when none.</summary>
    public static (MigrationSourceKind Kind, bool Gzip)? Detect(string path)
    {
        Span<byte> head = stackalloc byte[265];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && (head[2] is 3 or 5) && (head[3] is 4 or 6))
        {
            return (MigrationSourceKind.Zip, false);
        }

        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return (MigrationSourceKind.Tar, true);
        }

        if (n >= 262 && head[257] == (byte)'u' && head[258] == (byte)'s' && head[259] == (byte)'t' && head[260] == (byte)'a' && head[261] == (byte)'r')
        {
            return (MigrationSourceKind.Tar, false);
        }

        return null;
    }

    /// <summary>Extracts a ZIP file; returns the refused entries (then nothing should be imported).</summary>
    public static async Task<List<MigrationRowError>> ExtractZipAsync(string zipPath, string target, int maxEntries, CancellationToken cancellationToken)
    {
        var problems = new List<MigrationRowError>();
        var root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(File.OpenRead(zipPath), ZipArchiveMode.Read, leaveOpen: false, Encoding.UTF8);
        }
        catch (InvalidDataException ex)
        {
            problems.Add(Problem("archive", MigrationRules.SourceUnsupported, "The ZIP file cannot be read: " + ex.Message));
            return problems;
        }

        using (zip)
        {
            if (zip.Entries.Count > maxEntries)
            {
                problems.Add(Problem("archive", MigrationRules.EntryUnsafe, $"The export has {zip.Entries.Count} entries, more than {maxEntries} (Archive:Migration:MaxEntries)."));
                return problems;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                var raw = entry.FullName;
                var isDirectory = raw.EndsWith('/');
                var name = raw.TrimEnd('/').Normalize(NormalizationForm.FormC);
                var type = (entry.ExternalAttributes >> 16) & 0xF000;
                string? why = BagIt.UnsafeReason(name);
                if (why is null && !isDirectory && type is not (0 or 0x8000))
                {
                    why = type == 0xA000 ? "a symbolic link" : type == 0x4000 ? "a folder marked as a file" : "a device, FIFO or socket";
                }

                if (why is null && !isDirectory && !names.Add(name))
                {
                    why = "the name occurs twice";
                }

                if (why is not null)
                {
                    if (problems.Count < MaxReported)
                    {
                        problems.Add(Problem("entry", MigrationRules.EntryUnsafe, $"Entry '{Printable(raw)}' is refused: {why}."));
                    }

                    continue;
                }

                if (problems.Count > 0)
                {
                    continue; // refused anyway: only the other bad entries are looked for
                }

                var path = Path.GetFullPath(Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar)));
                if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    problems.Add(Problem("entry", MigrationRules.EntryUnsafe, $"Entry '{Printable(raw)}' would be written outside the export."));
                    continue;
                }

                if (isDirectory)
                {
                    Directory.CreateDirectory(path);
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var input = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (input.ConfigureAwait(false))
                {
                    var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
                    await using (output.ConfigureAwait(false))
                    {
                        await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>Extracts a tar file (gzip-compressed when <paramref name="gzip"/>); returns the refused entries.</summary>
    public static async Task<List<MigrationRowError>> ExtractTarAsync(string tarPath, bool gzip, string target, int maxEntries, CancellationToken cancellationToken)
    {
        var problems = new List<MigrationRowError>();
        var root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        var file = File.OpenRead(tarPath);
        await using (file.ConfigureAwait(false))
        {
            Stream input = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            await using (input.ConfigureAwait(false))
            {
                var reader = new TarReader(input, leaveOpen: true);
                await using (reader.ConfigureAwait(false))
                {
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    var count = 0;
                    try
                    {
                        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                        {
                            if (++count > maxEntries)
                            {
                                problems.Add(Problem("archive", MigrationRules.EntryUnsafe, $"The export has more than {maxEntries} entries (Archive:Migration:MaxEntries)."));
                                break;
                            }

                            var raw = entry.Name;
                            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                            {
                                continue;
                            }

                            var name = (raw.StartsWith("./", StringComparison.Ordinal) ? raw[2..] : raw).TrimEnd('/').Normalize(NormalizationForm.FormC);
                            if (name.Length == 0 && entry.EntryType is TarEntryType.Directory)
                            {
                                continue; // "./"
                            }

                            var why = BagIt.UnsafeReason(name);
                            if (why is null && entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.Directory))
                            {
                                why = entry.EntryType switch
                                {
                                    TarEntryType.SymbolicLink => $"a symbolic link (to '{Printable(entry.LinkName)}')",
                                    TarEntryType.HardLink => $"a hard link (to '{Printable(entry.LinkName)}')",
                                    TarEntryType.CharacterDevice or TarEntryType.BlockDevice => "a device file",
                                    TarEntryType.Fifo => "a FIFO",
                                    _ => $"of type {entry.EntryType}; only regular files and folders are accepted",
                                };
                            }

                            if (why is null && entry.EntryType is not TarEntryType.Directory && !names.Add(name))
                            {
                                why = "the name occurs twice";
                            }

                            if (why is not null)
                            {
                                if (problems.Count < MaxReported)
                                {
                                    problems.Add(Problem("entry", MigrationRules.EntryUnsafe, $"Entry '{Printable(raw)}' is refused: {why}."));
                                }

                                continue;
                            }

                            if (problems.Count > 0)
                            {
                                continue;
                            }

                            var path = Path.GetFullPath(Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar)));
                            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                            {
                                problems.Add(Problem("entry", MigrationRules.EntryUnsafe, $"Entry '{Printable(raw)}' would be written outside the export."));
                                continue;
                            }

                            if (entry.EntryType is TarEntryType.Directory)
                            {
                                Directory.CreateDirectory(path);
                                continue;
                            }

                            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                            var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
                            await using (output.ConfigureAwait(false))
                            {
                                if (entry.DataStream is { } data)
                                {
                                    await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                                }
                            }
                        }
                    }
                    catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
                    {
                        problems.Add(Problem("archive", MigrationRules.SourceUnsupported, "The tar file cannot be read: " + ex.Message));
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The full path of a content path of the manifest inside <paramref name="root"/>, or the broken rule: an unsafe path
    /// (absolute, <c>..</c>, backslash, control characters), a path through a symbolic link, or no such regular file.
    /// </summary>
    public static (string? Path, string? Rule, string? Message) Resolve(string root, string relative)
    {
        var name = relative.StartsWith("./", StringComparison.Ordinal) ? relative[2..] : relative;
        if (BagIt.UnsafeReason(name) is { } why)
        {
            return (null, MigrationRules.PathUnsafe, $"The content path '{Printable(relative)}' is refused: {why}. Give a path relative to the export's top folder, with '/'.");
        }

        var top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        var below = top;
        foreach (var segment in name.Split('/'))
        {
            below = Path.Combine(below, segment);
            FileSystemInfo info = Directory.Exists(below) ? new DirectoryInfo(below) : new FileInfo(below);
            if (info.LinkTarget is not null)
            {
                return (null, MigrationRules.PathUnsafe, $"The content path '{Printable(relative)}' goes through a symbolic link; links are not followed.");
            }
        }

        if (!below.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return (null, MigrationRules.PathUnsafe, $"The content path '{Printable(relative)}' leads outside the export.");
        }

        if (!File.Exists(below))
        {
            return (null, MigrationRules.ContentMissing, $"The export has no file '{Printable(relative)}'.");
        }

        return (below, null, null);
    }

    private static MigrationRowError Problem(string field, string rule, string message) => new() { Row = 0, Field = field, Rule = rule, Message = message, Detail = message };

    private static string Printable(string? text) => text is null ? string.Empty : new string(text.Select(c => char.IsControl(c) ? '?' : c).Take(300).ToArray());
}
