using Archive.IO;
using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Archive.Documents;
using Archive.Diagnostics;
using Archive.Hosting;
using Archive.Records;
using Microsoft.Extensions.Options;

namespace Archive.Handover;

/// <summary>What to hand over.</summary>
public sealed record HandoverRequest
{
    /// <summary>The fonds whose record files are handed over.</summary>
    public required string FondsCode { get; init; }

    /// <summary>A selection of its record files; the whole fonds when null.</summary>
    public IReadOnlyList<string>? FileCodes { get; init; }

    /// <summary>The receiving agency (cơ quan nhận).</summary>
    public required string ReceivingAgencyId { get; init; }

    /// <summary>The reorganisation event the handover belongs to, if any.</summary>
    public string? EventId { get; init; }

    /// <summary>External-Identifier of the bag; generated when null.</summary>
    public string? HandoverId { get; init; }

    /// <summary>The handing agency's certificate with its private key: the bag is sealed when given.</summary>
    public X509Certificate2? SealCertificate { get; init; }

    /// <summary>What the printed documents (biên bản giao nhận, catalogues) say beyond the archive's data; dotted lines when null.</summary>
    public HandoverDocumentDetails? Documents { get; init; }
}

/// <summary>What to do with an export target an earlier, interrupted export left behind.</summary>
public enum IncompleteExportMode
{
    /// <summary>Refuse (the default).</summary>
    Fail = 0,

    /// <summary>Delete it and start again.</summary>
    Discard = 1,

    /// <summary>Keep the payload files already written whose checksum is right; write the rest.</summary>
    Resume = 2,
}

/// <summary>Progress of an export.</summary>
/// <param name="FilesDone">Payload files written.</param>
/// <param name="FilesTotal">Payload files to write.</param>
/// <param name="BytesDone">Payload bytes written.</param>
/// <param name="BytesTotal">Payload bytes to write (record file content; the catalogue adds a little).</param>
/// <param name="CurrentPath">The file just written.</param>
public sealed record HandoverProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, string? CurrentPath);

/// <summary>One line of the catalogue (mục lục hồ sơ) or of the unfinished-files list.</summary>
public sealed record CatalogueRow
{
    /// <summary>Số thứ tự.</summary>
    public required int No { get; init; }

    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>Số và ký hiệu hồ sơ.</summary>
    public required string FileNotation { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>Thời gian bắt đầu.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Thời gian kết thúc.</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Thời hạn lưu trữ (canonical: <c>permanent</c>, <c>10y</c>).</summary>
    public required string Retention { get; init; }

    /// <summary>Thời hạn lưu trữ, in Vietnamese.</summary>
    public required string RetentionText { get; init; }

    /// <summary>Số tờ.</summary>
    public int? Sheets { get; init; }

    /// <summary>Số trang.</summary>
    public int Pages { get; init; }

    /// <summary>Số văn bản.</summary>
    public int Documents { get; init; }

    /// <summary>Ghi chú (for unfinished files: what remains to be done).</summary>
    public string? Notes { get; init; }

    /// <summary>Where the file's package content is in the bag.</summary>
    public required string BagPath { get; init; }
}

/// <summary>The generated catalogue.</summary>
public sealed record HandoverCatalogue
{
    /// <summary>The fonds.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Finished files (hồ sơ đã giải quyết xong).</summary>
    public required IReadOnlyList<CatalogueRow> Files { get; init; }

    /// <summary>Unfinished files (danh sách hồ sơ chưa giải quyết xong), packaged apart.</summary>
    public required IReadOnlyList<CatalogueRow> Unfinished { get; init; }

    /// <summary>Total of record files.</summary>
    public int Total => Files.Count + Unfinished.Count;

    /// <summary>Permanent files (vĩnh viễn).</summary>
    public int Permanent { get; init; }

    /// <summary>Fixed-term files (có thời hạn).</summary>
    public int FixedTerm { get; init; }
}

/// <summary>Outcome of an export.</summary>
/// <param name="Path">The bag folder or tar file.</param>
/// <param name="Catalogue">The catalogue written into it.</param>
/// <param name="PayloadFiles">Payload files.</param>
/// <param name="PayloadBytes">Payload bytes.</param>
/// <param name="ReusedFiles">Payload files kept from an interrupted export (resume).</param>
/// <param name="Sealed">Whether the bag was sealed.</param>
public sealed record HandoverExport(string Path, HandoverCatalogue Catalogue, int PayloadFiles, long PayloadBytes, int ReusedFiles, bool Sealed);

/// <summary>What the receiving side expects.</summary>
public sealed record HandoverReceipt
{
    /// <summary>The agency importing the package: must be the bag's receiving agency.</summary>
    public required string ReceivingAgencyId { get; init; }

    /// <summary>The handing agency's certificate: the bag must be sealed by exactly this certificate (see also <see cref="Trust"/>).</summary>
    public X509Certificate2? ExpectedSigner { get; init; }

    /// <summary>
    /// The receiving archive's trust list, used when <see cref="ExpectedSigner"/> is null. With neither, a seal is
    /// checked when present (any valid signer passes, and is reported) and an unsealed bag is accepted.
    /// </summary>
    public SealTrust? Trust { get; init; }

    /// <summary>Largest single file accepted (default 4 GiB).</summary>
    public long MaxFileBytes { get; init; } = 4L << 30;

    /// <summary>Largest package accepted (default 64 GiB).</summary>
    public long MaxTotalBytes { get; init; } = 64L << 30;

    /// <summary>Most entries accepted in a tar (default 1,000,000).</summary>
    public int MaxEntries { get; init; } = 1_000_000;
}

/// <summary>Outcome of a receipt: accepted (custody recorded) or rejected with every problem (nothing changed).</summary>
/// <param name="Accepted">Whether the package was accepted.</param>
/// <param name="Verification">The verification report.</param>
/// <param name="Fonds">The fonds after acceptance.</param>
public sealed record HandoverReceiptResult(bool Accepted, BagVerification Verification, Versioned<Fonds>? Fonds);

/// <summary>
/// Handover packages (bàn giao) as BagIt 1.0 bags, exported streamed to a folder or a tar file, sealed with the
/// handing agency's certificate, and received — verified completely before anything is accepted.
/// </summary>
/// <remarks>
/// <para>Payload: for each record file, the files of its package's <b>head version</b> (metadata/recordfile.json,
/// content/…, derived/…) under <c>data/finished/&lt;file code&gt;/</c> or <c>data/unfinished/&lt;file code&gt;/</c>
/// (unfinished files packaged apart). The head version is the record as it stands at handover; the OCFL object
/// itself (every version, the storage layout) stays the archive's internal preservation form and would hand over
/// superseded content. Each file is streamed from the package store and checked against the package inventory's
/// SHA-256 while it is written. Content of weeded (non-archival) documents and weeded files are left out.</para>
/// <para>Generated: <c>data/catalogue/muc-luc-ho-so.json|csv|xlsx|docx</c>,
/// <c>data/catalogue/ho-so-chua-giai-quyet-xong.json|csv|xlsx|docx</c> and the handover record
/// <c>data/catalogue/bien-ban-giao-nhan.docx</c> (see <see cref="HandoverDocuments"/>).</para>
/// <para>An export writes <see cref="BagIt.IncompleteMarker"/> first and removes it last; a tar is written to
/// <c>&lt;path&gt;.partial</c> and renamed when complete.</para>
/// </remarks>
public sealed class HandoverService
{
    private const string FinishedDir = "data/finished/";
    private const string UnfinishedDir = "data/unfinished/";

    private readonly ArchiveStorage _storage;
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly IOfficeDocumentWriter _documents;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    /// <param name="storage">The archive's package stores.</param>
    /// <param name="files">Record files.</param>
    /// <param name="fonds">Fonds registry.</param>
    /// <param name="agencies">Agency registry.</param>
    /// <param name="documents">Writes the printable catalogues and handover record (e.g. the OpenXml writer of Archive.Documents).</param>
    /// <param name="options">Engine options.</param>
    /// <param name="timeProvider">Clock; the system clock when null.</param>
    public HandoverService(ArchiveStorage storage, RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, IOfficeDocumentWriter documents, IOptions<ArchiveOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(options);
        _storage = storage;
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _documents = documents;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Exports the bag to <paramref name="folder"/> (which must not exist, unless an interrupted export left it).</summary>
    /// <exception cref="ArchiveValidationException">Unknown fonds, agency or file; a file outside the fonds.</exception>
    /// <exception cref="ArchiveConflictException">The folder exists (<c>handover.target-exists</c>, <c>handover.incomplete-target</c>).</exception>
    public ValueTask<HandoverExport> ExportToFolderAsync(HandoverRequest request, string folder, ArchiveUser user, IncompleteExportMode mode = IncompleteExportMode.Fail, IProgress<HandoverProgress>? progress = null, CancellationToken cancellationToken = default)
        => AuditedExportAsync(request, user, () => ExportToFolderCoreAsync(request, folder, user, mode, progress, cancellationToken), cancellationToken);

    private async ValueTask<HandoverExport> ExportToFolderCoreAsync(HandoverRequest request, string folder, ArchiveUser user, IncompleteExportMode mode, IProgress<HandoverProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var root = Path.GetFullPath(folder);
        var (fonds, handing, receiving, files) = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(root))
        {
            var incomplete = File.Exists(Path.Combine(root, BagIt.IncompleteMarker));
            if (!incomplete && Directory.EnumerateFileSystemEntries(root).Any())
            {
                throw new ArchiveConflictException("handover", root, "handover.target-exists", $"'{root}' exists and holds a complete bag or other files; choose another folder.");
            }

            if (incomplete && mode == IncompleteExportMode.Fail)
            {
                throw new ArchiveConflictException("handover", root, "handover.incomplete-target", $"'{root}' holds an interrupted export; discard or resume it.");
            }

            if (incomplete && mode == IncompleteExportMode.Discard)
            {
                Directory.Delete(root, recursive: true);
            }
        }

        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, BagIt.IncompleteMarker), "This bag is being written or its export was interrupted: do not use it.\n", cancellationToken).ConfigureAwait(false);

        var (plan, catalogue) = await PlanAsync(fonds, files, cancellationToken).ConfigureAwait(false);

        // Payload, streamed file by file.
        var manifest = new SortedDictionary<string, (string Sha256, long Length)>(StringComparer.Ordinal);
        long bytesTotal = plan.Sum(p => p.Length), bytesDone = 0;
        var reused = 0;
        foreach (var p in plan)
        {
            var target = BagIt.TargetUnder(root, p.BagPath, "bag");
            if (mode == IncompleteExportMode.Resume && File.Exists(target) && new FileInfo(target).Length == p.Length
                && string.Equals((await FileHashing.HashFileAsync(target, cancellationToken).ConfigureAwait(false)).Sha256, p.Sha256, StringComparison.Ordinal))
            {
                reused++;
            }
            else
            {
                var content = await _storage.Files.OpenFileAsync(p.FileCode, p.LogicalPath, p.Version, null, cancellationToken).ConfigureAwait(false)
                    ?? throw new ArchiveNotFoundException("content", p.FileCode + "/" + p.LogicalPath);
                await using (content.ConfigureAwait(false))
                {
                    var (sha, length) = await FileHashing.WriteHashedAsync(target, content.Stream, cancellationToken).ConfigureAwait(false);
                    if (!string.Equals(sha, p.Sha256, StringComparison.Ordinal) || length != p.Length)
                    {
                        File.Delete(target);
                        throw new ArchiveException($"Fixity failure while exporting {p.FileCode}/{p.LogicalPath}: SHA-256 {sha} ({length} bytes), the package inventory says {p.Sha256} ({p.Length} bytes). Run a fixity check.");
                    }
                }
            }

            manifest[p.BagPath] = (p.Sha256, p.Length);
            bytesDone += p.Length;
            ArchiveTelemetry.JobItem("handover");
            progress?.Report(new HandoverProgress(manifest.Count, plan.Count + 4 + HandoverDocuments.FileCount, bytesDone, bytesTotal, p.BagPath));
        }

        // The catalogue and the unfinished-files list.
        foreach (var (path, bytes) in CatalogueFiles(catalogue))
        {
            await BagIt.WriteAtomicAsync(BagIt.TargetUnder(root, path, "bag"), bytes, cancellationToken).ConfigureAwait(false);
            manifest[path] = (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
            progress?.Report(new HandoverProgress(manifest.Count, plan.Count + 4 + HandoverDocuments.FileCount, bytesDone, bytesTotal, path));
        }

        // The printable documents (XLSX/DOCX): catalogue, unfinished-files list, handover record.
        foreach (var (path, sha, length) in await HandoverDocuments.WriteAsync(root, request, fonds, handing, receiving, catalogue, plan.Select(p => (p.LogicalPath, p.Length)), user, _agencies, _documents, _time.GetLocalNow(), cancellationToken).ConfigureAwait(false))
        {
            manifest[path] = (sha, length);
            progress?.Report(new HandoverProgress(manifest.Count, plan.Count + 4 + HandoverDocuments.FileCount, bytesDone, bytesTotal, path));
        }

        // Tag files.
        long payloadBytes = manifest.Values.Sum(v => v.Length);
        var tags = await TagFilesAsync(request, fonds, handing, receiving, catalogue, manifest, user, cancellationToken).ConfigureAwait(false);
        foreach (var (path, bytes) in tags)
        {
            await BagIt.WriteAtomicAsync(Path.Combine(root, path), bytes, cancellationToken).ConfigureAwait(false);
        }

        await BagIt.WriteAtomicAsync(Path.Combine(root, BagIt.TagManifestFile), TagManifest(tags), cancellationToken).ConfigureAwait(false);
        File.Delete(Path.Combine(root, BagIt.SealFile));
        if (request.SealCertificate is { } cert)
        {
            await BagIt.SealAsync(root, cert, cancellationToken).ConfigureAwait(false);
        }

        // Leftovers of an interrupted export that are no longer part of the bag.
        foreach (var stale in Directory.EnumerateFiles(Path.Combine(root, "data"), "*", SearchOption.AllDirectories)
                     .Where(p => !manifest.ContainsKey(Path.GetRelativePath(root, p).Replace(Path.DirectorySeparatorChar, '/').Normalize(NormalizationForm.FormC))).ToList())
        {
            File.Delete(stale);
        }

        File.Delete(Path.Combine(root, BagIt.IncompleteMarker));
        return new HandoverExport(root, catalogue, manifest.Count, payloadBytes, reused, request.SealCertificate is not null);
    }

    /// <summary>bagit.txt, bag-info.txt and manifest-sha256.txt of a bag whose payload is <paramref name="manifest"/>, by name in ordinal order.</summary>
    private async ValueTask<SortedDictionary<string, byte[]>> TagFilesAsync(HandoverRequest request, Fonds fonds, string handing, string receiving, HandoverCatalogue catalogue, SortedDictionary<string, (string Sha256, long Length)> manifest, ArchiveUser user, CancellationToken cancellationToken)
    {
        long payloadBytes = manifest.Values.Sum(v => v.Length);
        var manifestText = new StringBuilder();
        foreach (var (path, v) in manifest)
        {
            manifestText.Append(v.Sha256).Append("  ").Append(BagIt.EncodePath(path)).Append('\n');
        }

        var handingAgency = (await _agencies.GetAsync(handing, cancellationToken).ConfigureAwait(false))?.Value;
        var receivingAgency = (await _agencies.GetAsync(receiving, cancellationToken).ConfigureAwait(false))?.Value;
        var now = _time.GetLocalNow();
        var bagInfo = new StringBuilder()
            .Append("Source-Organization: ").Append(OneLine(handingAgency?.Name ?? handing)).Append('\n')
            .Append("Organization-Address: ").Append(handing).Append('\n')
            .Append("Contact-Name: ").Append(OneLine(user.Name)).Append('\n')
            .Append("External-Description: ").Append(OneLine($"Bàn giao hồ sơ phông {fonds.Name} ({fonds.Code}) cho {receivingAgency?.Name ?? receiving}")).Append('\n')
            .Append("External-Identifier: ").Append(OneLine(request.HandoverId ?? string.Create(CultureInfo.InvariantCulture, $"BG-{fonds.Code}-{now:yyyyMMddHHmmss}"))).Append('\n')
            .Append("Internal-Sender-Identifier: ").Append(fonds.Code).Append('\n')
            .Append("Bagging-Date: ").Append(now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n')
            .Append("Payload-Oxum: ").Append(payloadBytes.ToString(CultureInfo.InvariantCulture)).Append('.').Append(manifest.Count.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("Bag-Size: ").Append(Size(payloadBytes)).Append('\n')
            .Append("Bag-Count: 1 of 1\n")
            .Append("Archive-Fonds-Code: ").Append(fonds.Code).Append('\n')
            .Append("Archive-Handing-Agency-Id: ").Append(handing).Append('\n')
            .Append("Archive-Receiving-Agency-Id: ").Append(receiving).Append('\n')
            .Append("Archive-Record-Files: ").Append(catalogue.Total.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("Archive-Record-Files-Permanent: ").Append(catalogue.Permanent.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("Archive-Record-Files-Fixed-Term: ").Append(catalogue.FixedTerm.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("Archive-Record-Files-Unfinished: ").Append(catalogue.Unfinished.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (request.EventId is { } eventId)
        {
            bagInfo.Append("Archive-Event-Id: ").Append(OneLine(eventId)).Append('\n');
        }

        var tags = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [BagIt.DeclarationFile] = Encoding.UTF8.GetBytes(BagIt.Declaration),
            [BagIt.InfoFile] = Encoding.UTF8.GetBytes(bagInfo.ToString()),
            [BagIt.ManifestFile] = Encoding.UTF8.GetBytes(manifestText.ToString()),
        };

        return tags;
    }

    /// <summary>The tag manifest (SHA-256 of every tag file in <paramref name="tags"/>).</summary>
    private static byte[] TagManifest(SortedDictionary<string, byte[]> tags)
    {
        var tagManifest = new StringBuilder();
        foreach (var (path, bytes) in tags)
        {
            tagManifest.Append(Convert.ToHexStringLower(SHA256.HashData(bytes))).Append("  ").Append(path).Append('\n');
        }

        return Encoding.UTF8.GetBytes(tagManifest.ToString());
    }

    /// <summary>One payload file of an export: where it goes in the bag, where it comes from, what the inventory says it is.</summary>
    private readonly record struct PlannedFile(string BagPath, string FileCode, string LogicalPath, int Version, string Sha256, long Length);

    /// <summary>A record file as a catalogue row (number <paramref name="no"/>; its notes: what is left to do for an unfinished file, else its description).</summary>
    internal static CatalogueRow RowOf(RecordFile f, int no, string bagPath) => new()
    {
        No = no,
        FileCode = f.FileCode,
        FileNotation = f.FileNotation,
        Title = f.Title,
        StartDate = f.StartDate,
        EndDate = f.EndDate,
        Retention = f.Maintenance.ToString(),
        RetentionText = f.Maintenance.ToVietnamese(),
        Sheets = f.SheetNumber,
        Pages = f.PageTotal,
        Documents = f.Documents.Count(d => d.NonArchival is null),
        Notes = f.Status == RecordFileStatus.Unfinished ? f.UnfinishedNote : f.Description,
        BagPath = bagPath,
    };

    /// <summary>Plans the payload from the package inventories (head version), so the totals — and every file's size — are known up front.</summary>
    private async ValueTask<(List<PlannedFile> Plan, HandoverCatalogue Catalogue)> PlanAsync(Fonds fonds, List<Versioned<RecordFile>> files, CancellationToken cancellationToken)
    {
        var plan = new List<PlannedFile>();
        var finished = new List<CatalogueRow>();
        var unfinished = new List<CatalogueRow>();
        foreach (var file in files)
        {
            var f = file.Value;
            var inventory = await _storage.Files.GetInventoryAsync(f.FileCode, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveNotFoundException("record-file", f.FileCode);
            var weeded = f.Documents.Where(d => d.NonArchival is not null).Select(d => d.DocOrdinal.ToString("D3", CultureInfo.InvariantCulture) + "/").ToList();
            var dir = (f.Status == RecordFileStatus.Unfinished ? UnfinishedDir : FinishedDir) + f.FileCode + "/";
            foreach (var pf in inventory.HeadVersion.Files)
            {
                if (weeded.Any(w => pf.LogicalPath.StartsWith("content/" + w, StringComparison.Ordinal) || pf.LogicalPath.StartsWith("derived/" + w, StringComparison.Ordinal)))
                {
                    continue;
                }

                plan.Add(new PlannedFile(dir + pf.LogicalPath, f.FileCode, pf.LogicalPath, inventory.Head, pf.Sha256, pf.Length));
            }

            var list = f.Status == RecordFileStatus.Unfinished ? unfinished : finished;
            list.Add(RowOf(f, list.Count + 1, dir));
        }

        var all = finished.Concat(unfinished).Select(r => files.First(x => x.Value.FileCode == r.FileCode).Value).ToList();
        var catalogue = new HandoverCatalogue
        {
            FondsCode = fonds.Code,
            Files = finished,
            Unfinished = unfinished,
            Permanent = all.Count(x => x.Maintenance.IsPermanent),
            FixedTerm = all.Count(x => !x.Maintenance.IsPermanent),
        };

        return (plan, catalogue);
    }

    /// <summary>
    /// Exports the bag as a tar file (PAX, one top-level folder named after the file), streamed: each payload file goes
    /// from the package store straight into <c>&lt;path&gt;.partial</c> — its size from the package inventory, its
    /// SHA-256 checked against the inventory while it is read — followed by the catalogue, the printable documents and
    /// the tag files (manifests computed on the way, sealed when a certificate is given); the file is flushed to disk
    /// and renamed to <paramref name="tarPath"/> only when complete. A failure (a stored file that does not match its
    /// inventory, cancellation) removes the <c>.partial</c> file. A <c>.partial</c> file or <c>.staging</c> folder an
    /// interrupted export left behind (a crash) is refused with <see cref="IncompleteExportMode.Fail"/>, and discarded with
    /// <see cref="IncompleteExportMode.Discard"/> or <see cref="IncompleteExportMode.Resume"/>: a tar is always written
    /// from the start (<see cref="HandoverExport.ReusedFiles"/> is 0).
    /// </summary>
    /// <exception cref="ArchiveValidationException">Unknown fonds, agency or file; a file outside the fonds; a seal certificate without its private key.</exception>
    /// <exception cref="ArchiveConflictException">The file exists (<c>handover.target-exists</c>) or an interrupted export left its leftovers (<c>handover.incomplete-target</c>).</exception>
    /// <exception cref="ArchiveException">A stored file does not match its package inventory (fixity failure): nothing is left behind.</exception>
    public ValueTask<HandoverExport> ExportToTarAsync(HandoverRequest request, string tarPath, ArchiveUser user, IncompleteExportMode mode = IncompleteExportMode.Fail, IProgress<HandoverProgress>? progress = null, CancellationToken cancellationToken = default)
        => AuditedExportAsync(request, user, () => ExportToTarCoreAsync(request, tarPath, user, mode, progress, cancellationToken), cancellationToken);

    private async ValueTask<HandoverExport> ExportToTarCoreAsync(HandoverRequest request, string tarPath, ArchiveUser user, IncompleteExportMode mode, IProgress<HandoverProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tarPath);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var path = Path.GetFullPath(tarPath);
        if (File.Exists(path))
        {
            throw new ArchiveConflictException("handover", path, "handover.target-exists", $"'{path}' exists; choose another file.");
        }

        if (request.SealCertificate is { HasPrivateKey: false })
        {
            throw new ArchiveValidationException("certificate", "seal.private-key-required", "Sealing needs the handing agency's certificate with its private key.");
        }

        var (fonds, handing, receiving, files) = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        var partial = path + ".partial";
        var scratch = path + ".staging";
        if (File.Exists(partial) || Directory.Exists(scratch))
        {
            if (mode == IncompleteExportMode.Fail)
            {
                throw new ArchiveConflictException("handover", path, "handover.incomplete-target", $"'{partial}' or '{scratch}' was left by an interrupted export; discard it or export again with resume.");
            }

            File.Delete(partial);
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        var (plan, catalogue) = await PlanAsync(fonds, files, cancellationToken).ConfigureAwait(false);
        var top = Path.GetFileNameWithoutExtension(path) + "/";
        var manifest = new SortedDictionary<string, (string Sha256, long Length)>(StringComparer.Ordinal);
        long bytesTotal = plan.Sum(p => p.Length), bytesDone = 0;
        var filesTotal = plan.Count + 4 + HandoverDocuments.FileCount;
        var complete = false;
        try
        {
            // Buffered (the tar headers are 512-byte writes); the payload's large blocks pass straight through.
            var output = new FileStream(partial, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = TarBufferSize, Options = FileOptions.Asynchronous });
            await using (output.ConfigureAwait(false))
            {
                var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    // Payload: straight from the store, checked against the inventory (size up front, SHA-256 at the end).
                    foreach (var p in plan)
                    {
                        await WritePayloadEntryAsync(writer, top, p, cancellationToken).ConfigureAwait(false);
                        manifest[p.BagPath] = (p.Sha256, p.Length);
                        bytesDone += p.Length;
                        ArchiveTelemetry.JobItem("handover");
                        progress?.Report(new HandoverProgress(manifest.Count, filesTotal, bytesDone, bytesTotal, p.BagPath));
                    }

                    // The catalogue and the unfinished-files list.
                    foreach (var (bagPath, bytes) in CatalogueFiles(catalogue))
                    {
                        await WriteEntryAsync(writer, top + bagPath, bytes, cancellationToken).ConfigureAwait(false);
                        manifest[bagPath] = (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
                        progress?.Report(new HandoverProgress(manifest.Count, filesTotal, bytesDone, bytesTotal, bagPath));
                    }

                    // The printable documents: small, written to a scratch folder beside the tar, then added.
                    Directory.CreateDirectory(scratch);
                    foreach (var (bagPath, sha, length) in await HandoverDocuments.WriteAsync(scratch, request, fonds, handing, receiving, catalogue, plan.Select(p => (p.LogicalPath, p.Length)), user, _agencies, _documents, _time.GetLocalNow(), cancellationToken).ConfigureAwait(false))
                    {
                        await writer.WriteEntryAsync(Path.Combine(scratch, bagPath.Replace('/', Path.DirectorySeparatorChar)), top + bagPath, cancellationToken).ConfigureAwait(false);
                        manifest[bagPath] = (sha, length);
                        progress?.Report(new HandoverProgress(manifest.Count, filesTotal, bytesDone, bytesTotal, bagPath));
                    }

                    // Tag files, the tag manifest and the seal.
                    var tags = await TagFilesAsync(request, fonds, handing, receiving, catalogue, manifest, user, cancellationToken).ConfigureAwait(false);
                    foreach (var (name, bytes) in tags)
                    {
                        await WriteEntryAsync(writer, top + name, bytes, cancellationToken).ConfigureAwait(false);
                    }

                    var tagManifest = TagManifest(tags);
                    await WriteEntryAsync(writer, top + BagIt.TagManifestFile, tagManifest, cancellationToken).ConfigureAwait(false);
                    if (request.SealCertificate is { } cert)
                    {
                        await WriteEntryAsync(writer, top + BagIt.SealFile, SealTrust.SignDetached(tagManifest, cert), cancellationToken).ConfigureAwait(false);
                    }
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            File.Move(partial, path);
            complete = true;
        }
        finally
        {
            if (!complete)
            {
                File.Delete(partial);
            }

            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return new HandoverExport(path, catalogue, manifest.Count, manifest.Values.Sum(v => v.Length), 0, request.SealCertificate is not null);
    }

    private const int TarBufferSize = 1 << 20;

    /// <summary>
    /// One payload file into the tar, read from the package store: the entry's size is the inventory's, the store's
    /// stream checks the SHA-256 when it reaches the end, and content shorter or longer than the inventory says fails.
    /// </summary>
    private async ValueTask WritePayloadEntryAsync(TarWriter writer, string top, PlannedFile p, CancellationToken cancellationToken)
    {
        var content = await _storage.Files.OpenFileAsync(p.FileCode, p.LogicalPath, p.Version, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("content", p.FileCode + "/" + p.LogicalPath);
        await using (content.ConfigureAwait(false))
        {
            if (!string.Equals(content.Info.Sha256, p.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw FixityFailure(p, $"the store serves SHA-256 {content.Info.Sha256}");
            }

            var data = new DeclaredLengthReadStream(content.Stream, p.Length, read => FixityFailure(p, $"{read} bytes or more"));
            try
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, top + p.BagPath) { DataStream = data }, cancellationToken).ConfigureAwait(false);

                // Whatever the tar writer did, the content is read to its end: its digest is checked there.
                if (await data.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
                {
                    throw FixityFailure(p, "more bytes");
                }
            }
            catch (Archive.Packages.PackageCorruptException ex)
            {
                throw FixityFailure(p, ex.Message);
            }
        }
    }

    private static ArchiveException FixityFailure(PlannedFile p, string found)
        => new($"Fixity failure while exporting {p.FileCode}/{p.LogicalPath}: {found}; the package inventory says SHA-256 {p.Sha256} ({p.Length} bytes). Run a fixity check.");

    private static async ValueTask WriteEntryAsync(TarWriter writer, string name, byte[] bytes, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream(bytes, writable: false);
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives a bag (a folder, or a <c>.tar</c> file): everything is verified first — safe names, no links, sizes,
    /// every checksum, Payload-Oxum, no missing or extra file, the seal by <see cref="HandoverReceipt.ExpectedSigner"/>,
    /// the receiving agency and the fonds. Any problem rejects the whole package and changes nothing. Acceptance
    /// records the custody transfer: the fonds' custodian becomes the receiving agency.
    /// </summary>
    public async ValueTask<HandoverReceiptResult> ReceiveAsync(string source, HandoverReceipt receipt, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        // Audit (issue #8): every import, accepted or rejected (Failure with the reasons), and one that throws.
        HandoverReceiptResult result;
        try
        {
            result = await ReceiveCoreAsync(source, receipt, user, accept: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Audit is not null && user is not null && ex is not OperationCanceledException)
        {
            await Audit.AppendAsync(new Archive.Audit.AuditEvent { Action = Archive.Audit.AuditActions.Import, Actor = user.Name, ObjectType = "handover-package", ObjectId = Path.GetFileName(source), Outcome = Archive.Audit.AuditOutcome.Failure, Detail = "Import failed: " + ex.Message }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (Audit is not null)
        {
            await Audit.AppendAsync(new Archive.Audit.AuditEvent
            {
                Action = Archive.Audit.AuditActions.Import,
                Actor = user.Name,
                ObjectType = "handover-package",
                ObjectId = Path.GetFileName(source),
                Outcome = result.Accepted ? Archive.Audit.AuditOutcome.Success : Archive.Audit.AuditOutcome.Failure,
                Detail = result.Accepted
                    ? $"Accepted for agency {receipt.ReceivingAgencyId}; fonds {result.Fonds?.Value.Code}"
                    : "Rejected: " + string.Join("; ", result.Verification.Problems.Take(5).Select(p => $"{p.Kind} {p.Path}: {p.Detail}")),
            }, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The audit trail export and import events go to (set by <c>AddReorganisation</c>); none when null.</summary>
    public Archive.Audit.IAuditTrail? Audit { get; init; }

    private async ValueTask<HandoverExport> AuditedExportAsync(HandoverRequest request, ArchiveUser user, Func<ValueTask<HandoverExport>> export, CancellationToken cancellationToken)
    {
        HandoverExport result;
        try
        {
            result = await export().ConfigureAwait(false);
        }
        catch (Exception ex) when (Audit is not null && user is not null && ex is not OperationCanceledException)
        {
            await Audit.AppendAsync(new Archive.Audit.AuditEvent { Action = Archive.Audit.AuditActions.Export, Actor = user.Name, ObjectType = "fonds", ObjectId = request?.FondsCode, Outcome = Archive.Audit.AuditOutcome.Failure, Detail = "Export failed: " + ex.Message }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (Audit is not null)
        {
            await Audit.AppendAsync(new Archive.Audit.AuditEvent
            {
                Action = Archive.Audit.AuditActions.Export,
                Actor = user.Name,
                ObjectType = "fonds",
                ObjectId = request.FondsCode,
                Detail = $"Handover package {Path.GetFileName(result.Path)}: {result.PayloadFiles} files, {result.PayloadBytes} bytes" + (result.Sealed ? ", sealed" : string.Empty),
            }, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Verifies a bag (folder or <c>.tar</c>) exactly as <see cref="ReceiveAsync"/> does — hostile entries, checksums,
    /// Payload-Oxum, missing and extra files, the seal, the catalogue against the payload, the receiving agency and the
    /// fonds — and changes nothing.
    /// </summary>
    /// <returns>The report: every problem, by file.</returns>
    public async ValueTask<BagVerification> VerifyAsync(string source, HandoverReceipt receipt, CancellationToken cancellationToken = default)
        => (await ReceiveCoreAsync(source, receipt, null, accept: false, cancellationToken).ConfigureAwait(false)).Verification;

    private async ValueTask<HandoverReceiptResult> ReceiveCoreAsync(string source, HandoverReceipt receipt, ArchiveUser? user, bool accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(receipt);
        if (accept)
        {
            ArgumentNullException.ThrowIfNull(user);
            user.Validate();
        }

        string? staging = null;
        try
        {
            string bagRoot;
            if (File.Exists(source))
            {
                staging = Path.Combine(_options.ResolveTempPath(), "handover-" + Guid.NewGuid().ToString("N"));
                var problems = await BagIt.ExtractTarAsync(source, staging, receipt.MaxEntries, receipt.MaxFileBytes, receipt.MaxTotalBytes, cancellationToken).ConfigureAwait(false);
                if (problems.Count > 0)
                {
                    return new HandoverReceiptResult(false, new BagVerification { Problems = problems, Info = [] }, null);
                }

                bagRoot = BagIt.PackageRoot(staging, BagIt.DeclarationFile);
            }
            else
            {
                bagRoot = source;
            }

            var trust = receipt.ExpectedSigner is { } pinned ? SealTrust.Pinned(pinned) : receipt.Trust ?? SealTrust.None;
            var report = await BagIt.VerifyAsync(bagRoot, trust, receipt.MaxFileBytes, cancellationToken).ConfigureAwait(false);
            if (!report.IsValid)
            {
                return new HandoverReceiptResult(false, report, null);
            }

            var (mismatch, listed) = await CheckCatalogueAsync(bagRoot, cancellationToken).ConfigureAwait(false);
            report = report with { FileCodes = listed };
            var code = report.InfoValue("Archive-Fonds-Code");
            var fonds = code is null ? null : await _fonds.GetAsync(code, cancellationToken).ConfigureAwait(false);
            if (fonds is null)
            {
                mismatch.Add(new(BagProblemKind.Mismatch, BagIt.InfoFile, $"Fonds '{code}' named by Archive-Fonds-Code is not known here."));
            }

            if (!string.Equals(report.InfoValue("Archive-Receiving-Agency-Id"), receipt.ReceivingAgencyId, StringComparison.Ordinal))
            {
                mismatch.Add(new(BagProblemKind.Mismatch, BagIt.InfoFile, $"The bag is addressed to '{report.InfoValue("Archive-Receiving-Agency-Id")}', not to '{receipt.ReceivingAgencyId}'."));
            }

            if (await _agencies.GetAsync(receipt.ReceivingAgencyId, cancellationToken).ConfigureAwait(false) is null)
            {
                mismatch.Add(new(BagProblemKind.Mismatch, null, $"Receiving agency '{receipt.ReceivingAgencyId}' is not registered."));
            }

            if (mismatch.Count > 0)
            {
                return new HandoverReceiptResult(false, report with { Problems = mismatch }, null);
            }

            if (!accept)
            {
                return new HandoverReceiptResult(false, report, fonds);
            }

            var f = fonds!.Value;
            if (string.Equals(f.CustodianAgencyId ?? f.AgencyId, receipt.ReceivingAgencyId, StringComparison.Ordinal))
            {
                return new HandoverReceiptResult(true, report, fonds);
            }

            var updated = await _fonds.UpdateAsync(FondsInput.WithCustodian(f, receipt.ReceivingAgencyId), null, user!, cancellationToken).ConfigureAwait(false);
            return new HandoverReceiptResult(true, report, updated.Stored);
        }
        finally
        {
            if (staging is not null && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>
    /// Checks a request as an export would (fonds, agencies, every selected file) and returns what it would hand over,
    /// without writing anything: how a job is refused before it starts.
    /// </summary>
    /// <exception cref="ArchiveValidationException">Unknown fonds, agency or file; a file outside the fonds or weeded.</exception>
    public async ValueTask<PackageScope> ResolveScopeAsync(HandoverRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (fonds, handing, receiving, files) = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        return new PackageScope(fonds.Code, handing, receiving, [.. files.Select(f => f.Value.FileCode)], files.Count == 0 ? AccessLevel.Public : files.Max(f => f.Value.Rights));
    }

    /// <summary>
    /// The catalogue (mục lục hồ sơ, JSON) against the payload: every listed record file has its folder with its
    /// metadata, every record file folder in the payload is listed, finished and unfinished in their places.
    /// </summary>
    private static async ValueTask<(List<BagProblem> Problems, IReadOnlyList<string> FileCodes)> CheckCatalogueAsync(string bagRoot, CancellationToken cancellationToken)
    {
        const string CatalogueJson = "data/catalogue/muc-luc-ho-so.json";
        var problems = new List<BagProblem>();
        HandoverCatalogue? catalogue = null;
        try
        {
            var stream = File.OpenRead(Path.Combine(bagRoot, CatalogueJson.Replace('/', Path.DirectorySeparatorChar)));
            await using (stream.ConfigureAwait(false))
            {
                catalogue = await JsonSerializer.DeserializeAsync<HandoverCatalogue>(stream, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            problems.Add(new(BagProblemKind.Mismatch, CatalogueJson, "The catalogue cannot be read: " + ex.Message));
            return (problems, []);
        }

        if (catalogue?.Files is null || catalogue.Unfinished is null)
        {
            problems.Add(new(BagProblemKind.Mismatch, CatalogueJson, "The catalogue is empty or malformed."));
            return (problems, []);
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (rows, dir) in new[] { (catalogue.Files, FinishedDir), (catalogue.Unfinished, UnfinishedDir) })
        {
            foreach (var row in rows)
            {
                var expected = dir + row.FileCode + "/";
                listed.Add(expected);
                if (!string.Equals(row.BagPath, expected, StringComparison.Ordinal) || BagIt.UnsafeReason(row.FileCode ?? string.Empty) is not null)
                {
                    problems.Add(new(BagProblemKind.Mismatch, CatalogueJson, $"Catalogue row {row.No} ({row.FileCode}) points at '{row.BagPath}', expected '{expected}'."));
                }
                else if (!File.Exists(Path.Combine(bagRoot, (expected + "metadata/recordfile.json").Replace('/', Path.DirectorySeparatorChar))))
                {
                    problems.Add(new(BagProblemKind.Mismatch, expected, $"Record file {row.FileCode} is in the catalogue (row {row.No}) but not in the payload."));
                }
            }
        }

        foreach (var dir in new[] { FinishedDir, UnfinishedDir })
        {
            var folder = Path.Combine(bagRoot, dir.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar));
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                var path = dir + Path.GetFileName(sub) + "/";
                if (!listed.Contains(path))
                {
                    problems.Add(new(BagProblemKind.Mismatch, path, "A record file in the payload that the catalogue does not list."));
                }
            }
        }

        return (problems, [.. catalogue.Files.Concat(catalogue.Unfinished).Select(r => r.FileCode).Order(StringComparer.Ordinal)]);
    }

    private async ValueTask<(Fonds Fonds, string Handing, string Receiving, List<Versioned<RecordFile>> Files)> ResolveAsync(HandoverRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var fonds = await _fonds.GetAsync(request.FondsCode ?? string.Empty, cancellationToken).ConfigureAwait(false);
        if (fonds is null)
        {
            throw new ArchiveValidationException("fondsCode", "fonds.not-found", $"Fonds '{request.FondsCode}' does not exist.");
        }

        var receiving = request.ReceivingAgencyId?.Trim() ?? string.Empty;
        if (await _agencies.GetAsync(receiving, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new("receivingAgencyId", "agency.not-found", $"Agency '{receiving}' is not registered."));
        }

        // The custodian hands over; when an applied reorganisation already named the receiver custodian, the
        // creating agency (whose head stays responsible until handover) is the handing party.
        var custodian = fonds.Value.CustodianAgencyId ?? fonds.Value.AgencyId;
        var handing = string.Equals(custodian, receiving, StringComparison.Ordinal) ? fonds.Value.AgencyId : custodian;
        var files = new List<Versioned<RecordFile>>();
        if (request.FileCodes is { } codes)
        {
            for (var i = 0; i < codes.Count; i++)
            {
                var file = await _files.GetAsync(codes[i] ?? string.Empty, cancellationToken).ConfigureAwait(false);
                if (file is null)
                {
                    errors.Add(new($"fileCodes[{i}]", "record-file.not-found", $"Record file '{codes[i]}' does not exist."));
                }
                else if (!string.Equals(file.Value.FondsCode, fonds.Value.Code, StringComparison.Ordinal))
                {
                    errors.Add(new($"fileCodes[{i}]", "handover.file-outside-fonds", $"Record file '{codes[i]}' belongs to fonds '{file.Value.FondsCode}'."));
                }
                else if (file.Value.NonArchival is not null)
                {
                    errors.Add(new($"fileCodes[{i}]", "handover.non-archival", $"Record file '{codes[i]}' was weeded out as non-archival."));
                }
                else if (files.All(f => f.Value.FileCode != file.Value.FileCode))
                {
                    files.Add(file);
                }
            }
        }
        else
        {
            await foreach (var file in _files.ListAsync(new RecordFileQuery { FondsCode = fonds.Value.Code }, cancellationToken).ConfigureAwait(false))
            {
                if (file.Value.NonArchival is null)
                {
                    files.Add(file);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Value.FileCode, b.Value.FileCode));
        return (fonds.Value, handing, receiving, files);
    }

    internal static IEnumerable<(string Path, byte[] Bytes)> CatalogueFiles(HandoverCatalogue catalogue)
    {
        yield return ("data/catalogue/muc-luc-ho-so.json", JsonSerializer.SerializeToUtf8Bytes(catalogue, ArchiveJson.Options));
        yield return ("data/catalogue/muc-luc-ho-so.csv", Csv(catalogue.Files, catalogue, "Mục lục hồ sơ"));
        yield return ("data/catalogue/ho-so-chua-giai-quyet-xong.json", JsonSerializer.SerializeToUtf8Bytes(catalogue.Unfinished, ArchiveJson.Options));
        yield return ("data/catalogue/ho-so-chua-giai-quyet-xong.csv", Csv(catalogue.Unfinished, null, "Danh sách hồ sơ chưa giải quyết xong"));
    }

    private static byte[] Csv(IReadOnlyList<CatalogueRow> rows, HandoverCatalogue? totals, string title)
    {
        var sb = new StringBuilder();
        sb.Append('\uFEFF');
        sb.Append("STT,Mã hồ sơ,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời gian bắt đầu,Thời gian kết thúc,Thời hạn lưu trữ,Số tờ,Số trang,Số văn bản,Ghi chú\r\n");
        foreach (var r in rows)
        {
            sb.AppendJoin(',', new[]
            {
                r.No.ToString(CultureInfo.InvariantCulture), Q(r.FileCode), Q(r.FileNotation), Q(r.Title),
                r.StartDate?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? string.Empty,
                r.EndDate?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? string.Empty,
                Q(r.RetentionText), r.Sheets?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                r.Pages.ToString(CultureInfo.InvariantCulture), r.Documents.ToString(CultureInfo.InvariantCulture), Q(r.Notes ?? string.Empty),
            }).Append("\r\n");
        }

        if (totals is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $",,,{Q($"Tổng số: {totals.Total} hồ sơ; vĩnh viễn: {totals.Permanent}; có thời hạn: {totals.FixedTerm}")},,,,,,,\r\n");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $",,,{Q($"{title}: {rows.Count} hồ sơ")},,,,,,,\r\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Q(string s) => s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ').Trim();

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024 / 1024:0.##} GB"),
    };
}
