using Archive.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Archive.Handover;

namespace Archive.Transfer;

/// <summary>
/// Verifies a submission package (a folder) completely, changing nothing: METS.xml well-formed and in the METS
/// namespace; every file referenced once (<c>mdRef</c> or <c>file/FLocat</c>) with SIZE, SHA-256 CHECKSUM and a safe
/// relative path; every referenced file present with that size and checksum; no file that METS does not reference;
/// no link, device, pipe or other non-regular entry; sizes within limits; the seal when required.
/// </summary>
public static class SipVerifier
{
    private const int BufferSize = 81920;

    /// <summary>Verifies the package in <paramref name="folder"/>.</summary>
    /// <param name="folder">The package's root folder (holding METS.xml).</param>
    /// <param name="expectedSigner">When given, METS.xml must be sealed (<see cref="SipLayout.MetsSeal"/>) by exactly this certificate.</param>
    /// <param name="maxFileBytes">Largest single file accepted.</param>
    /// <param name="maxTotalBytes">Largest package accepted.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static async ValueTask<SipVerification> VerifyAsync(string folder, X509Certificate2? expectedSigner = null, long maxFileBytes = long.MaxValue, long maxTotalBytes = long.MaxValue, CancellationToken cancellationToken = default)
        => (await VerifyWithReferencesAsync(folder, expectedSigner is null ? SealTrust.None : SealTrust.Pinned(expectedSigner), maxFileBytes, maxTotalBytes, cancellationToken).ConfigureAwait(false)).Verification;

    /// <summary>Verifies a package folder like <see cref="VerifyAsync(string, X509Certificate2?, long, long, CancellationToken)"/>, the seal against a trust list.</summary>
    public static async ValueTask<SipVerification> VerifyAsync(string folder, SealTrust trust, long maxFileBytes = long.MaxValue, long maxTotalBytes = long.MaxValue, CancellationToken cancellationToken = default)
        => (await VerifyWithReferencesAsync(folder, trust, maxFileBytes, maxTotalBytes, cancellationToken).ConfigureAwait(false)).Verification;

    internal static async ValueTask<(SipVerification Verification, IReadOnlyDictionary<string, SipReference> References)> VerifyWithReferencesAsync(string folder, SealTrust trust, long maxFileBytes, long maxTotalBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(folder);
        var root = Path.GetFullPath(folder);
        var problems = new List<BagProblem>();
        var references = new Dictionary<string, SipReference>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            problems.Add(new(BagProblemKind.MissingTagFile, null, $"'{folder}' is not a folder."));
            return (new SipVerification { Problems = problems }, references);
        }

        // What is on disk: regular files only; links and special files are problems (never followed or opened).
        var onDisk = new Dictionary<string, long>(StringComparer.Ordinal);
        long totalOnDisk = 0;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        while (pending.Count > 0)
        {
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos())
            {
                var rel = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/').Normalize(NormalizationForm.FormC);
                if (entry.LinkTarget is not null)
                {
                    problems.Add(new(BagProblemKind.LinkOrSpecialFile, rel, "Symbolic link: not allowed in a package."));
                }
                else if (entry is DirectoryInfo d)
                {
                    pending.Push(d);
                }
                else if (!IsRegularFile(entry.FullName))
                {
                    problems.Add(new(BagProblemKind.LinkOrSpecialFile, rel, "Device, pipe, socket or other special file: not allowed in a package."));
                }
                else if (entry is FileInfo f)
                {
                    if (!onDisk.TryAdd(rel, f.Length))
                    {
                        problems.Add(new(BagProblemKind.UnsafePath, rel, "Two entries have this name once normalised (NFC)."));
                    }

                    totalOnDisk += f.Length;
                    if (f.Length > maxFileBytes)
                    {
                        problems.Add(new(BagProblemKind.TooLarge, rel, $"{f.Length} bytes: over the limit of {maxFileBytes}."));
                    }
                }
            }
        }

        if (totalOnDisk > maxTotalBytes)
        {
            problems.Add(new(BagProblemKind.TooLarge, null, $"{totalOnDisk} bytes in all: over the limit of {maxTotalBytes}."));
        }

        if (onDisk.ContainsKey(SipLayout.IncompleteMarker))
        {
            problems.Add(new(BagProblemKind.Incomplete, SipLayout.IncompleteMarker, "The export that wrote this package did not finish."));
        }

        string? objId = null;
        if (!onDisk.ContainsKey(SipLayout.Mets))
        {
            problems.Add(new(BagProblemKind.MissingTagFile, SipLayout.Mets, "METS.xml is missing."));
        }
        else
        {
            objId = ReadMets(Path.Combine(root, SipLayout.Mets), references, problems);
        }

        // Missing and unlisted files.
        foreach (var p in references.Keys.Where(p => !onDisk.ContainsKey(p)).Order(StringComparer.Ordinal))
        {
            problems.Add(new(BagProblemKind.MissingFile, p, "Referenced by METS.xml but not in the package."));
        }

        foreach (var p in onDisk.Keys.Where(p => !references.ContainsKey(p) && p is not (SipLayout.Mets or SipLayout.MetsSeal or SipLayout.IncompleteMarker)).Order(StringComparer.Ordinal))
        {
            problems.Add(new(BagProblemKind.ExtraFile, p, "In the package but not referenced by METS.xml."));
        }

        // Sizes, then checksums (streamed; reads stop at the declared size + 1 byte).
        long bytes = 0;
        var files = 0;
        foreach (var (path, r) in references.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!onDisk.TryGetValue(path, out var length))
            {
                continue;
            }

            if (length != r.Size)
            {
                problems.Add(new(BagProblemKind.Corrupt, path, $"{length} bytes, METS.xml says {r.Size} (truncated or extended)."));
                continue;
            }

            if (length > maxFileBytes)
            {
                continue;
            }

            var (sha, _) = await FileHashing.HashFileAsync(Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar)), cancellationToken, maxBytes: r.Size + 1).ConfigureAwait(false);
            if (!string.Equals(sha, r.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new(BagProblemKind.ChecksumMismatch, path, $"SHA-256 is {sha}, METS.xml says {r.Sha256}."));
            }

            bytes += length;
            files++;
        }

        // The seal.
        string? signerName = null;
        if (onDisk.ContainsKey(SipLayout.MetsSeal) && onDisk.ContainsKey(SipLayout.Mets))
        {
            var (signer, problem) = trust.CheckDetached(
                await File.ReadAllBytesAsync(Path.Combine(root, SipLayout.Mets), cancellationToken).ConfigureAwait(false),
                await File.ReadAllBytesAsync(Path.Combine(root, SipLayout.MetsSeal), cancellationToken).ConfigureAwait(false));
            if (problem is not null)
            {
                problems.Add(new(BagProblemKind.Signature, SipLayout.MetsSeal, problem));
            }

            signerName = signer;
        }
        else if (trust.RequireSeal)
        {
            problems.Add(new(BagProblemKind.Signature, SipLayout.MetsSeal, "The package is not sealed."));
        }

        var verification = new SipVerification { Problems = problems, TransferId = objId, Files = files, Bytes = bytes, Signer = problems.Count == 0 ? signerName : null };
        return (verification, references);
    }

    private static string? ReadMets(string path, Dictionary<string, SipReference> references, List<BagProblem> problems)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            MaxCharactersFromEntities = 0,
            CloseInput = true,
        };
        string? objId = null;
        try
        {
            using var reader = XmlReader.Create(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize), settings);
            reader.MoveToContent();
            if (reader.LocalName != "mets" || reader.NamespaceURI != SipLayout.MetsNs)
            {
                problems.Add(new(BagProblemKind.BadManifest, SipLayout.Mets, $"The root element is {{{reader.NamespaceURI}}}{reader.LocalName}, not METS' {{{SipLayout.MetsNs}}}mets."));
                return null;
            }

            objId = reader.GetAttribute("OBJID");
            if (string.IsNullOrWhiteSpace(objId))
            {
                problems.Add(new(BagProblemKind.BadManifest, SipLayout.Mets, "The mets element has no OBJID."));
            }

            string? fileSize = null, fileSha = null, fileType = null, fileMime = null, fileUse = null;
            string? group = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI != SipLayout.MetsNs)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "fileGrp":
                        group = reader.GetAttribute("USE");
                        break;
                    case "file":
                        (fileSize, fileSha, fileType, fileMime, fileUse) = (reader.GetAttribute("SIZE"), reader.GetAttribute("CHECKSUM"), reader.GetAttribute("CHECKSUMTYPE"), reader.GetAttribute("MIMETYPE"), group);
                        break;
                    case "FLocat":
                        Add(reader.GetAttribute("href", SipLayout.XlinkNs), fileSize, fileSha, fileType, fileMime, fileUse ?? string.Empty);
                        break;
                    case "mdRef":
                        Add(reader.GetAttribute("href", SipLayout.XlinkNs), reader.GetAttribute("SIZE"), reader.GetAttribute("CHECKSUM"), reader.GetAttribute("CHECKSUMTYPE"), reader.GetAttribute("MIMETYPE"), "Metadata/" + reader.GetAttribute("MDTYPE"));
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            problems.Add(new(BagProblemKind.BadManifest, SipLayout.Mets, "METS.xml is not well-formed XML: " + ex.Message));
        }

        return objId;

        void Add(string? href, string? size, string? sha, string? type, string? mime, string use)
        {
            if (href is null)
            {
                problems.Add(new(BagProblemKind.BadManifest, SipLayout.Mets, "A file reference has no xlink:href."));
                return;
            }

            string rel;
            try
            {
                rel = SipLayout.FromHref(href);
            }
            catch (UriFormatException)
            {
                problems.Add(new(BagProblemKind.UnsafePath, href, "Not a relative URL."));
                return;
            }

            if (BagIt.UnsafeReason(rel) is { } why)
            {
                problems.Add(new(BagProblemKind.UnsafePath, rel, "METS.xml references an unsafe path: " + why + "."));
                return;
            }

            if (rel is SipLayout.Mets or SipLayout.MetsSeal)
            {
                problems.Add(new(BagProblemKind.BadManifest, rel, "METS.xml cannot reference itself or its seal."));
                return;
            }

            if (!string.Equals(type, SipLayout.ChecksumType, StringComparison.Ordinal) || sha is null || sha.Length != 64 || !sha.All(Uri.IsHexDigit))
            {
                problems.Add(new(BagProblemKind.BadManifest, rel, $"Needs CHECKSUMTYPE=\"SHA-256\" and a 64-digit CHECKSUM (found {type ?? "none"})."));
                return;
            }

            if (!long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
            {
                problems.Add(new(BagProblemKind.BadManifest, rel, "Needs a SIZE in bytes."));
                return;
            }

            if (!references.TryAdd(rel, new SipReference(rel, length, sha.ToLowerInvariant(), mime, use)))
            {
                problems.Add(new(BagProblemKind.BadManifest, rel, "METS.xml references the path twice."));
            }
        }
    }

    /// <summary>
    /// Whether a path is a regular file, asked without following links or opening it (a FIFO would block an open, a
    /// character device would never end). Uses the runtime's own native shim (<c>SystemNative_LStat</c>, whose
    /// <c>FileStatus.Mode</c> carries the POSIX file type); on Windows every non-directory is a regular file.
    /// </summary>
    internal static bool IsRegularFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var status = new byte[256];
        if (NativeLStat(path, status) != 0)
        {
            return false;
        }

        const int TypeMask = 0xF000, Regular = 0x8000;
        var mode = BitConverter.ToInt32(status, 4);
        return (mode & TypeMask) == Regular;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks for the whole engine; this one call marshals a pinned byte[] and a UTF-8 string.
    private static extern int NativeLStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);
#pragma warning restore SYSLIB1054
}

/// <summary>A file METS references.</summary>
/// <param name="Path">Relative path.</param>
/// <param name="Size">Declared size.</param>
/// <param name="Sha256">Declared SHA-256 (lower case).</param>
/// <param name="MediaType">Declared media type.</param>
/// <param name="Use">File group use, or <c>Metadata/&lt;MDTYPE&gt;</c>.</param>
internal sealed record SipReference(string Path, long Size, string Sha256, string? MediaType, string Use);
