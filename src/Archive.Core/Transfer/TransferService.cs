using Archive.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Archive.Hosting;
using Archive.Records;
using Archive.Handover;
using Archive.Retention;
using Microsoft.Extensions.Options;

namespace Archive.Transfer;

/// <summary>
/// Transfer of permanent record files to the Historical Archives (nộp lưu vào Lưu trữ lịch sử): the due list from the
/// retention engine, the submission package (SIP, <see cref="SipLayout"/>) written streamed to a folder or a tar file,
/// and, once the Historical Archives has signed the transfer record, the accession mark on the submitting side.
/// </summary>
/// <remarks>
/// Only finished, permanent, archival (not weeded out), not yet accessioned files that are not under legal hold are
/// transferred; Secret files are, with their access level in every metadata file. Content is streamed from the
/// package store and checked against the package inventory's SHA-256 while it is written; memory grows with the
/// number of files, never with their size. The package is written with <see cref="SipLayout.IncompleteMarker"/> first;
/// METS.xml is written last, then the marker removed.
/// </remarks>
public sealed class TransferService
{

    private readonly ArchiveStorage _storage;
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly RetentionPlanner _planner;
    private readonly IReadOnlyList<ITransferDocumentWriter> _documentWriters;
    private readonly TimeProvider _time;

    /// <summary>Creates the service; the Office documents are written by every one of <paramref name="documentWriters"/> (at least one, usually an <see cref="OfficeTransferDocumentWriter"/>).</summary>
    public TransferService(ArchiveStorage storage, RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, RetentionPlanner planner, IEnumerable<ITransferDocumentWriter> documentWriters, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(documentWriters);
        _storage = storage;
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _planner = planner;
        _documentWriters = documentWriters.ToList() is { Count: > 0 } writers ? writers : throw new ArgumentException("At least one transfer document writer is required (e.g. new OfficeTransferDocumentWriter(new OpenXmlDocumentWriter()) of Archive.Documents).", nameof(documentWriters));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Permanent files due for transfer on <paramref name="asOf"/> (retention engine: closing year + years into the
    /// agency archive + years to transfer) in the fonds the submitting agency holds (its own, and closed fonds it
    /// received through a reorganisation). Files under legal hold are left out (the planner reports them as withheld).
    /// </summary>
    public async ValueTask<IReadOnlyList<RetentionDueItem>> ListDueAsync(string submittingAgencyId, DateOnly asOf, string? fondsCode = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submittingAgencyId);
        var held = (await _fonds.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(f => string.Equals(f.Value.CustodianAgencyId ?? f.Value.AgencyId, submittingAgencyId, StringComparison.Ordinal))
            .Where(f => fondsCode is null || string.Equals(f.Value.Code, fondsCode, StringComparison.Ordinal))
            .Select(f => f.Value.Code)
            .ToHashSet(StringComparer.Ordinal);
        var report = await _planner.DueForTransferAsync(asOf, null, cancellationToken).ConfigureAwait(false);
        return report.Due.Where(i => held.Contains(i.FondsCode)).ToList();
    }

    /// <summary>Builds the submission package in <paramref name="folder"/> (which must not exist or be empty; an interrupted export there is discarded).</summary>
    /// <exception cref="ArchiveValidationException">Unknown agency; a selected file that does not exist, is not held by the submitting agency, or is not transferable (every problem is listed).</exception>
    /// <exception cref="ArchiveConflictException">The folder holds other files (<c>transfer.target-exists</c>).</exception>
    public async ValueTask<SubmissionPackage> ExportToFolderAsync(TransferRequest request, string folder, ArchiveUser user, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var root = Path.GetFullPath(folder);
        var (submitting, archives, files) = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            if (!File.Exists(Path.Combine(root, SipLayout.IncompleteMarker)))
            {
                throw new ArchiveConflictException("transfer", root, "transfer.target-exists", $"'{root}' is not empty; choose another folder.");
            }

            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, SipLayout.IncompleteMarker), "This package is being written or its export was interrupted: do not use it.\n", cancellationToken).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        var transferId = request.TransferId ?? string.Create(CultureInfo.InvariantCulture, $"NL-{submitting.AgencyId}-{now.ToOffset(SipLayout.VietnamOffset):yyyyMMddHHmmss}");
        var entries = new List<SipFile>();
        var plans = new List<(Versioned<RecordFile> File, List<(string SipPath, Archive.Packages.PackageFile Source, string MediaType, DateTimeOffset Created)> Content)>();
        foreach (var v in files)
        {
            var inventory = await _storage.Files.GetInventoryAsync(v.Value.FileCode, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveNotFoundException("record-file", v.Value.FileCode);
            var head = inventory.Versions.First(x => x.Number == v.Version);
            var content = new List<(string, Archive.Packages.PackageFile, string, DateTimeOffset)>();
            foreach (var d in v.Value.Documents.Where(d => d.NonArchival is null).OrderBy(d => d.DocOrdinal))
            {
                foreach (var c in d.Contents)
                {
                    var pf = head.Files.FirstOrDefault(f => string.Equals(f.LogicalPath, c.LogicalPath, StringComparison.Ordinal))
                        ?? throw new ArchiveException($"Record file {v.Value.FileCode} lists content '{c.LogicalPath}' that its package version {v.Version} does not hold. Run a fixity check.");
                    var created = inventory.Versions.First(x => x.Files.Any(f => f.LogicalPath == pf.LogicalPath && f.Sha256 == pf.Sha256)).Created;
                    content.Add((SipLayout.DataFolder(v.Value.FileCode) + d.DocOrdinal.ToString("D3", CultureInfo.InvariantCulture) + "/" + c.Name, pf, c.MediaType, created));
                }
            }

            plans.Add((v, content));
        }

        // Content, streamed file by file and checked against the inventory.
        var total = plans.Sum(p => p.Content.Count);
        long bytesTotal = plans.Sum(p => p.Content.Sum(c => c.Source.Length)), bytesDone = 0;
        foreach (var (v, content) in plans)
        {
            foreach (var (sipPath, source, mediaType, created) in content)
            {
                var opened = await _storage.Files.OpenFileAsync(v.Value.FileCode, source.LogicalPath, v.Version, null, cancellationToken).ConfigureAwait(false)
                    ?? throw new ArchiveNotFoundException("content", v.Value.FileCode + "/" + source.LogicalPath);
                await using (opened.ConfigureAwait(false))
                {
                    var (sha, length) = await WriteStreamAsync(Target(root, sipPath), opened.Stream, cancellationToken).ConfigureAwait(false);
                    if (!string.Equals(sha, source.Sha256, StringComparison.Ordinal) || length != source.Length)
                    {
                        throw new ArchiveException($"Fixity failure while exporting {v.Value.FileCode}/{source.LogicalPath}: SHA-256 {sha} ({length} bytes), the package inventory says {source.Sha256} ({source.Length} bytes). Run a fixity check.");
                    }
                }

                entries.Add(new SipFile(sipPath, source.Length, source.Sha256, mediaType, created, v.Value.FileCode, SipFileUse.Content));
                bytesDone += source.Length;
                progress?.Report(new TransferProgress(entries.Count, total, bytesDone, bytesTotal, sipPath));
            }
        }

        // Descriptive metadata: per record file its elements as JSON and as Dublin Core; the package's parties and fonds.
        var fondsList = new List<Fonds>();
        var agencyList = new List<Agency>();
        foreach (var code in files.Select(f => f.Value.FondsCode).Distinct(StringComparer.Ordinal))
        {
            var fonds = (await _fonds.GetAsync(code, cancellationToken).ConfigureAwait(false))!.Value;
            fondsList.Add(fonds);
            if ((await _agencies.GetAsync(fonds.AgencyId, cancellationToken).ConfigureAwait(false))?.Value is { } creator)
            {
                agencyList.Add(creator);
            }
        }

        foreach (var (v, _) in plans)
        {
            var archival = v.Value with { Documents = v.Value.Documents.Where(d => d.NonArchival is null).ToList() };
            var folderPath = SipLayout.DescriptiveFolder(v.Value.FileCode);
            entries.Add(await WriteBytesAsync(root, folderPath + "recordfile.json", JsonSerializer.SerializeToUtf8Bytes(archival, ArchiveJson.Options), "application/json", now, v.Value.FileCode, SipFileUse.DescriptiveJson, cancellationToken).ConfigureAwait(false));
            var creator = agencyList.FirstOrDefault(a => a.Id == fondsList.First(f => f.Code == v.Value.FondsCode).AgencyId);
            entries.Add(await WriteBytesAsync(root, folderPath + "dc.xml", SipXml.DublinCore(archival, creator?.Name ?? archival.OrganId, fondsList.First(f => f.Code == v.Value.FondsCode)), "application/xml", now, v.Value.FileCode, SipFileUse.DescriptiveDc, cancellationToken).ConfigureAwait(false));
        }

        var submission = new SubmissionInfo
        {
            TransferId = transferId,
            Submitting = submitting,
            Receiving = archives,
            Fonds = fondsList,
            Agencies = agencyList,
            PreparedAt = now.ToOffset(SipLayout.VietnamOffset),
        };
        entries.Add(await WriteBytesAsync(root, SipLayout.Submission, JsonSerializer.SerializeToUtf8Bytes(submission, ArchiveJson.Options), "application/json", now, null, SipFileUse.DescriptiveJson, cancellationToken).ConfigureAwait(false));

        // Documents: deposit catalogue and the draft transfer record (+ Office versions when a writer is registered).
        var catalogue = BuildCatalogue(transferId, submitting.AgencyId, plans.Select(p => (p.File.Value, p.Content.Count)).ToList());
        var record = BuildRecord(request, transferId, submitting with { Representative = user.Name }, archives, fondsList, plans.Select(p => (p.File.Value, p.Content.Count)).ToList(), entries.Where(e => e.Use == SipFileUse.Content).Sum(e => e.Size), now);
        foreach (var (path, bytes, mime) in DocumentFiles(catalogue, record))
        {
            entries.Add(await WriteBytesAsync(root, path, bytes, mime, now, null, SipFileUse.Documentation, cancellationToken).ConfigureAwait(false));
        }

        foreach (var name in await WriteOfficeDocumentsAsync(catalogue, record, Path.Combine(root, SipLayout.Documents.TrimEnd('/')), cancellationToken).ConfigureAwait(false))
        {
            var rel = SipLayout.Documents + name;
            if (entries.Any(e => e.Path == rel))
            {
                continue;
            }

            var (sha, length) = await FileHashing.HashFileAsync(Target(root, rel), cancellationToken).ConfigureAwait(false);
            entries.Add(new SipFile(rel, length, sha, MediaTypeOf(name), now, null, SipFileUse.Documentation));
        }

        // Preservation metadata, then METS (the commit point), then the seal.
        var history = new Dictionary<string, IReadOnlyList<VersionInfo>>(StringComparer.Ordinal);
        foreach (var (v, _) in plans)
        {
            history[v.Value.FileCode] = await _files.GetHistoryAsync(v.Value.FileCode, cancellationToken).ConfigureAwait(false);
        }

        var premisPath = Target(root, SipLayout.Premis);
        SipXml.WritePremis(premisPath, transferId, submitting, archives, user, entries, plans.Select(p => p.File.Value).ToList(), history, now);
        var (premisSha, premisLength) = await FileHashing.HashFileAsync(premisPath, cancellationToken).ConfigureAwait(false);
        entries.Add(new SipFile(SipLayout.Premis, premisLength, premisSha, "application/xml", now, null, SipFileUse.Preservation));

        SipXml.WriteMets(Path.Combine(root, SipLayout.Mets), transferId, submitting, archives, user, entries, plans.Select(p => p.File.Value).ToList(), now);
        if (request.SealCertificate is { } cert)
        {
            await SealAsync(root, cert, cancellationToken).ConfigureAwait(false);
        }

        File.Delete(Path.Combine(root, SipLayout.IncompleteMarker));
        return new SubmissionPackage(root, transferId, catalogue, record, entries.Count, entries.Sum(e => e.Size), request.SealCertificate is not null);
    }

    /// <summary>
    /// Builds the package as a tar file (PAX, one top-level folder named after the file): written to a staging folder
    /// beside it, streamed into <c>&lt;path&gt;.partial</c>, renamed to <paramref name="tarPath"/> when complete.
    /// </summary>
    public async ValueTask<SubmissionPackage> ExportToTarAsync(TransferRequest request, string tarPath, ArchiveUser user, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tarPath);
        var path = Path.GetFullPath(tarPath);
        if (File.Exists(path))
        {
            throw new ArchiveConflictException("transfer", path, "transfer.target-exists", $"'{path}' exists; choose another file.");
        }

        var staging = path + ".staging";
        var export = await ExportToFolderAsync(request, staging, user, progress, cancellationToken).ConfigureAwait(false);
        await Handover.BagIt.PackFolderAsTarAsync(staging, path, cancellationToken).ConfigureAwait(false);
        return export with { Path = path };
    }

    /// <summary>
    /// On the submitting side, after the Historical Archives signed the transfer record: marks every transferred file
    /// accessioned (<see cref="RecordFileService.MarkAccessionedAsync"/>, reference = the record's number), so it leaves
    /// the due lists and becomes read-only. Files already marked are skipped (safe to run again).
    /// </summary>
    /// <returns>The files marked by this call.</returns>
    /// <exception cref="ArchiveValidationException">The record is not a completed one (no reference or accession date).</exception>
    public async ValueTask<IReadOnlyList<string>> ConfirmAccessionAsync(TransferRecordData record, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(user);
        if (record.Reference is null || record.AccessionedAt is null || !record.Verified)
        {
            throw new ArchiveValidationException("record", "transfer.record-not-signed", "The transfer record has not been completed by the Historical Archives (reference, accession date, verification).");
        }

        var marked = new List<string>();
        foreach (var code in record.FileCodes)
        {
            var file = await _files.GetAsync(code, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveNotFoundException("record-file", code);
            if (file.Value.AccessionedAt is not null)
            {
                continue;
            }

            await _files.MarkAccessionedAsync(code, record.AccessionedAt.Value, record.Reference, file.Version, user, cancellationToken).ConfigureAwait(false);
            marked.Add(code);
        }

        return marked;
    }

    /// <summary>
    /// The single place the Office documents (XLSX catalogue, DOCX transfer record) plug in: calls every registered
    /// <see cref="ITransferDocumentWriter"/> and returns the names of the files they wrote into <paramref name="documentsFolder"/>.
    /// The writer registered by default is <see cref="OfficeTransferDocumentWriter"/> (XLSX catalogue, DOCX transfer record).
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> WriteOfficeDocumentsAsync(DepositCatalogue catalogue, TransferRecordData record, string documentsFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(documentsFolder);
        var names = new List<string>();
        Directory.CreateDirectory(documentsFolder);
        foreach (var writer in _documentWriters)
        {
            foreach (var name in await writer.WriteAsync(catalogue, record, documentsFolder, cancellationToken).ConfigureAwait(false))
            {
                if (Handover.BagIt.UnsafeReason(name) is { } why || name.Contains('/', StringComparison.Ordinal))
                {
                    throw new ArchiveException($"A transfer document writer returned the unsafe name '{name}'.");
                }

                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>JSON and CSV forms of the deposit catalogue and the transfer record data (relative path, bytes, media type).</summary>
    public static IEnumerable<(string Path, byte[] Bytes, string MediaType)> DocumentFiles(DepositCatalogue catalogue, TransferRecordData record)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(record);
        yield return (SipLayout.CatalogueJson, JsonSerializer.SerializeToUtf8Bytes(catalogue, ArchiveJson.Options), "application/json");
        yield return (SipLayout.CatalogueCsv, CatalogueCsv(catalogue), "text/csv");
        yield return (SipLayout.RecordJson, JsonSerializer.SerializeToUtf8Bytes(record, ArchiveJson.Options), "application/json");
    }

    internal static string AccessText(AccessLevel level) => level switch
    {
        AccessLevel.Secret => "Mật",
        AccessLevel.Conditional => "Sử dụng có điều kiện",
        _ => "Công khai",
    };

    internal static string MediaTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".pdf" => "application/pdf",
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".xml" => "application/xml",
        _ => "application/octet-stream",
    };

    internal static DepositCatalogue BuildCatalogue(string transferId, string submittingAgencyId, IReadOnlyList<(RecordFile File, int DigitalFiles)> files)
    {
        var rows = files.Select((x, i) => new DepositRow
        {
            No = i + 1,
            FileCode = x.File.FileCode,
            FondsCode = x.File.FondsCode,
            FileNotation = x.File.FileNotation,
            Title = x.File.Title,
            StartDate = x.File.StartDate,
            EndDate = x.File.EndDate,
            RetentionText = x.File.Maintenance.ToVietnamese(),
            Rights = x.File.Rights,
            Sheets = x.File.SheetNumber,
            Pages = x.File.PageTotal,
            Documents = x.File.Documents.Count(d => d.NonArchival is null),
            DigitalFiles = x.DigitalFiles,
            Notes = x.File.Description,
            PackagePath = SipLayout.DataFolder(x.File.FileCode),
        }).ToList();
        return new DepositCatalogue { TransferId = transferId, SubmittingAgencyId = submittingAgencyId, Files = rows, TotalInWords = SipLayout.InWords(rows.Count) + " hồ sơ" };
    }

    private static TransferRecordData BuildRecord(TransferRequest request, string transferId, TransferParty submitting, TransferParty archives, List<Fonds> fonds, IReadOnlyList<(RecordFile File, int DigitalFiles)> files, long bytes, DateTimeOffset now)
    {
        var names = string.Join("; ", fonds.Select(f => f.Name));
        return new TransferRecordData
        {
            TransferId = transferId,
            LegalBasis = request.LegalBasis ?? "Luật Lưu trữ số 33/2024/QH15; Thông tư số 06/2025/TT-BNV",
            Submitting = submitting,
            Receiving = archives,
            Fonds = fonds.Select(f => new KeyValuePair<string, string>(f.Code, f.Name)).ToList(),
            RecordsBlock = "Tài liệu lưu trữ vĩnh viễn " + names,
            From = files.Select(f => f.File.StartDate).Where(d => d is not null).Min(),
            To = files.Select(f => f.File.EndDate).Where(d => d is not null).Max(),
            RecordFiles = files.Count,
            RecordFilesInWords = SipLayout.InWords(files.Count) + " hồ sơ",
            Documents = files.Sum(f => f.File.Documents.Count(d => d.NonArchival is null)),
            Pages = files.Sum(f => f.File.PageTotal),
            DigitalFiles = files.Sum(f => f.DigitalFiles),
            DigitalBytes = bytes,
            SecretFiles = files.Count(f => f.File.Rights == AccessLevel.Secret),
            CatalogueAttached = SipLayout.CatalogueJson,
            FileCodes = files.Select(f => f.File.FileCode).ToList(),
            PreparedAt = now.ToOffset(SipLayout.VietnamOffset),
        };
    }

    private static byte[] CatalogueCsv(DepositCatalogue catalogue)
    {
        static string Q(string? s) => s is null ? string.Empty : s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
        static string D(DateOnly? d) => d?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? string.Empty;
        var sb = new StringBuilder("\uFEFF");
        sb.Append("STT,Mã hồ sơ,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời gian bắt đầu,Thời gian kết thúc,Thời hạn lưu trữ,Mức độ tiếp cận,Số tờ,Số trang,Số văn bản,Ghi chú\r\n");
        foreach (var r in catalogue.Files)
        {
            sb.AppendJoin(',', new[]
            {
                r.No.ToString(CultureInfo.InvariantCulture), Q(r.FileCode), Q(r.FileNotation), Q(r.Title), D(r.StartDate), D(r.EndDate),
                Q(r.RetentionText), Q(AccessText(r.Rights)), r.Sheets?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                r.Pages.ToString(CultureInfo.InvariantCulture), r.Documents.ToString(CultureInfo.InvariantCulture), Q(r.Notes),
            }).Append("\r\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $",,,{Q($"Tổng số: {catalogue.Total} hồ sơ (bằng chữ: {catalogue.TotalInWords})")},,,,,,,,\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Checks a request as an export would and returns what it would transfer, writing nothing.</summary>
    /// <exception cref="ArchiveValidationException">Unknown agency, a file that is not permanent, finished or held by the submitting agency.</exception>
    public async ValueTask<PackageScope> ResolveScopeAsync(TransferRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (submitting, archives, files) = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        var fonds = files.Select(f => f.Value.FondsCode).Distinct(StringComparer.Ordinal).ToList();
        return new PackageScope(fonds.Count == 1 ? fonds[0] : null, submitting.AgencyId, archives.AgencyId, [.. files.Select(f => f.Value.FileCode)], files.Count == 0 ? AccessLevel.Public : files.Max(f => f.Value.Rights));
    }

    private async ValueTask<(TransferParty Submitting, TransferParty Archives, List<Versioned<RecordFile>> Files)> ResolveAsync(TransferRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var submittingId = request.SubmittingAgencyId?.Trim() ?? string.Empty;
        var submitting = await _agencies.GetAsync(submittingId, cancellationToken).ConfigureAwait(false);
        if (submitting is null)
        {
            errors.Add(new("submittingAgencyId", "agency.not-found", $"Agency '{submittingId}' is not registered."));
        }

        string archivesId;
        try
        {
            archivesId = AgencyIdentifier.Validate(request.ArchivesAgencyId, "archivesAgencyId");
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
            archivesId = string.Empty;
        }

        var archivesName = request.ArchivesName ?? (await _agencies.GetAsync(archivesId, cancellationToken).ConfigureAwait(false))?.Value.Name ?? archivesId;
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var fonds = (await _fonds.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Value.Code, f => f.Value, StringComparer.Ordinal);
        var files = new List<Versioned<RecordFile>>();
        IReadOnlyList<string> codes = request.FileCodes
            ?? (await ListDueAsync(submittingId, request.AsOf ?? DateOnly.FromDateTime(_time.GetUtcNow().ToOffset(SipLayout.VietnamOffset).DateTime), request.FondsCode, cancellationToken).ConfigureAwait(false)).Select(i => i.FileCode).ToList();
        for (var i = 0; i < codes.Count; i++)
        {
            var field = request.FileCodes is null ? $"due[{i}]" : $"fileCodes[{i}]";
            var file = await _files.GetAsync(codes[i] ?? string.Empty, cancellationToken).ConfigureAwait(false);
            if (file is null)
            {
                errors.Add(new(field, "record-file.not-found", $"Record file '{codes[i]}' does not exist."));
                continue;
            }

            var f = file.Value;
            var holder = fonds.TryGetValue(f.FondsCode, out var fo) ? fo.CustodianAgencyId ?? fo.AgencyId : null;
            if (!string.Equals(holder, submittingId, StringComparison.Ordinal))
            {
                errors.Add(new(field, "transfer.not-held", $"Record file '{f.FileCode}' is held by '{holder}', not by the submitting agency '{submittingId}'."));
            }
            else if (!f.Maintenance.IsPermanent)
            {
                errors.Add(new(field, "transfer.not-permanent", $"Record file '{f.FileCode}' is kept {f.Maintenance.ToVietnamese()}: only permanent files go to the Historical Archives."));
            }
            else if (f.Status != RecordFileStatus.Finished)
            {
                errors.Add(new(field, "transfer.unfinished", $"Record file '{f.FileCode}' is unfinished."));
            }
            else if (f.NonArchival is not null)
            {
                errors.Add(new(field, "transfer.non-archival", $"Record file '{f.FileCode}' was weeded out as non-archival."));
            }
            else if (f.AccessionedAt is not null)
            {
                errors.Add(new(field, "transfer.already-accessioned", $"Record file '{f.FileCode}' was accessioned on {SipLayout.Timestamp(f.AccessionedAt.Value)}."));
            }
            else if (f.LegalHold)
            {
                errors.Add(new(field, "transfer.legal-hold", $"Record file '{f.FileCode}' is under legal hold and cannot be moved."));
            }
            else if (files.All(x => x.Value.FileCode != f.FileCode))
            {
                files.Add(file);
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        if (files.Count == 0)
        {
            throw new ArchiveValidationException("fileCodes", "transfer.nothing-to-transfer", "No permanent record file is due for transfer: nothing to package.");
        }

        files.Sort((a, b) => a.Value.FondsCode != b.Value.FondsCode ? string.CompareOrdinal(a.Value.FondsCode, b.Value.FondsCode) : string.CompareOrdinal(a.Value.FileCode, b.Value.FileCode));
        return (new TransferParty(submittingId, submitting!.Value.Name, null), new TransferParty(archivesId, archivesName, null), files);
    }

    private static async ValueTask<SipFile> WriteBytesAsync(string root, string path, byte[] bytes, string mediaType, DateTimeOffset created, string? fileCode, SipFileUse use, CancellationToken cancellationToken)
    {
        var target = Target(root, path);
        await File.WriteAllBytesAsync(target, bytes, cancellationToken).ConfigureAwait(false);
        return new SipFile(path, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)), mediaType, created, fileCode, use);
    }

    private static async ValueTask SealAsync(string root, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArchiveValidationException("sealCertificate", "seal.private-key-required", "Sealing needs the submitting agency's certificate with its private key.");
        }

        var mets = await File.ReadAllBytesAsync(Path.Combine(root, SipLayout.Mets), cancellationToken).ConfigureAwait(false);
        await File.WriteAllBytesAsync(Path.Combine(root, SipLayout.MetsSeal), SealTrust.SignDetached(mets, certificate), cancellationToken).ConfigureAwait(false);
    }

    private static string Target(string root, string relative)
    {
        if (Handover.BagIt.UnsafeReason(relative) is not null)
        {
            throw new ArchiveException($"'{relative}' would be written outside the package.");
        }

        return Handover.BagIt.TargetUnder(root, relative, "package");
    }

    private static ValueTask<(string Sha256, long Length)> WriteStreamAsync(string target, Stream source, CancellationToken cancellationToken)
        => FileHashing.WriteHashedAsync(target, source, cancellationToken);
}

/// <summary>What a file in a package is.</summary>
internal enum SipFileUse
{
    Content,
    DescriptiveJson,
    DescriptiveDc,
    Preservation,
    Documentation,
}

/// <summary>A file written into a package.</summary>
internal sealed record SipFile(string Path, long Size, string Sha256, string MediaType, DateTimeOffset Created, string? FileCode, SipFileUse Use);
