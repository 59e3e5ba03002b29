using System.Text.Json;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Retention;
using Microsoft.Extensions.Options;

namespace Archive.Transfer;

/// <summary>
/// The Historical Archives' side of a transfer (thu nộp): verifies a received submission package completely, then
/// accessions its record files into this engine's own store (the Historical Archives' archive), indexed for search.
/// </summary>
/// <remarks>
/// <para>Everything is checked before anything changes: the package (<see cref="SipVerifier"/>: METS, every size and
/// SHA-256, no unlisted file, no hostile path or entry, the seal when an expected signer is given), that it is
/// addressed to this Historical Archives, and that every record's metadata agrees with the content in the package
/// (each content file of each archival document present with the SHA-256 the metadata names) and describes a
/// finished, permanent, archival file whose code matches its agency, year and notation. Any problem rejects the whole
/// package with the report.</para>
/// <para>On acceptance: the creating agencies and their fonds are registered here when missing (custodian: the
/// Historical Archives), each record file is re-created with its archival documents and content (uploads checked
/// against the SHA-256 in METS), then marked accessioned with the transfer record's number, and indexed; the access
/// level travels unchanged (Secret stays Secret). Re-running an accepted package accessions nothing twice: files
/// already accessioned are reported as such; a run interrupted midway resumes where it stopped (documents and content
/// already stored are kept).</para>
/// </remarks>
public sealed class AccessionService
{
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly RetentionScheduleService _schedules;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    public AccessionService(RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, RetentionScheduleService schedules, IOptions<ArchiveOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(options);
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _schedules = schedules;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Verifies and accessions a package (a folder, or a <c>.tar</c> file extracted with hostile-entry checks into a
    /// staging folder that is removed afterwards). Rejection returns every problem and changes nothing.
    /// </summary>
    public ValueTask<AccessionResult> AccessionAsync(string source, AccessionReceipt receipt, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        return RunAsync(source, receipt, user, ingest: true, cancellationToken);
    }

    /// <summary>
    /// Verifies a package (folder or <c>.tar</c>) exactly as <see cref="AccessionAsync"/> does — hostile entries,
    /// METS, checksums, the seal, the catalogue, the metadata of every record file against this archive — and changes nothing.
    /// </summary>
    /// <returns>The report: every problem, by file.</returns>
    public async ValueTask<SipVerification> VerifyAsync(string source, AccessionReceipt receipt, CancellationToken cancellationToken = default)
        => (await RunAsync(source, receipt, null, ingest: false, cancellationToken).ConfigureAwait(false)).Verification;

    private async ValueTask<AccessionResult> RunAsync(string source, AccessionReceipt receipt, ArchiveUser? user, bool ingest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(receipt);
        string? staging = null;
        try
        {
            string root;
            if (File.Exists(source))
            {
                staging = Path.Combine(_options.ResolveTempPath(), "accession-" + Guid.NewGuid().ToString("N"));
                var problems = await BagIt.ExtractTarAsync(source, staging, receipt.MaxEntries, receipt.MaxFileBytes, receipt.MaxTotalBytes, cancellationToken).ConfigureAwait(false);
                if (problems.Count > 0)
                {
                    return Rejected(new SipVerification { Problems = problems });
                }

                root = BagIt.PackageRoot(staging, SipLayout.Mets);
            }
            else
            {
                root = Path.GetFullPath(source);
            }

            var (verification, references) = await SipVerifier.VerifyWithReferencesAsync(root, receipt.ExpectedSigner is { } pinned ? SealTrust.Pinned(pinned) : receipt.Trust ?? SealTrust.None, receipt.MaxFileBytes, receipt.MaxTotalBytes, cancellationToken).ConfigureAwait(false);
            if (!verification.IsValid)
            {
                return Rejected(verification);
            }

            // The package is intact: now check what it says against this archive, still changing nothing.
            var mismatch = new List<BagProblem>();
            var submission = await ReadJsonAsync<SubmissionInfo>(root, SipLayout.Submission, references, mismatch, cancellationToken).ConfigureAwait(false);
            var draft = await ReadJsonAsync<TransferRecordData>(root, SipLayout.RecordJson, references, mismatch, cancellationToken).ConfigureAwait(false);
            var catalogue = await ReadJsonAsync<DepositCatalogue>(root, SipLayout.CatalogueJson, references, mismatch, cancellationToken).ConfigureAwait(false);
            var archives = await _agencies.GetAsync(receipt.ArchivesAgencyId, cancellationToken).ConfigureAwait(false);
            if (archives is null)
            {
                mismatch.Add(new(BagProblemKind.Mismatch, null, $"The Historical Archives' agency '{receipt.ArchivesAgencyId}' is not registered in this archive."));
            }

            if (submission is not null && !string.Equals(submission.Receiving.AgencyId, receipt.ArchivesAgencyId, StringComparison.Ordinal))
            {
                mismatch.Add(new(BagProblemKind.Mismatch, SipLayout.Submission, $"The package is addressed to '{submission.Receiving.AgencyId}', not to '{receipt.ArchivesAgencyId}'."));
            }

            if (submission is not null && !string.Equals(submission.TransferId, verification.TransferId, StringComparison.Ordinal))
            {
                mismatch.Add(new(BagProblemKind.Mismatch, SipLayout.Submission, $"submission.json names package '{submission.TransferId}', METS.xml '{verification.TransferId}'."));
            }

            var records = new List<RecordFile>();
            if (catalogue is not null && submission is not null)
            {
                foreach (var row in catalogue.Files)
                {
                    var record = await ReadJsonAsync<RecordFile>(root, SipLayout.DescriptiveFolder(row.FileCode) + "recordfile.json", references, mismatch, cancellationToken).ConfigureAwait(false);
                    if (record is not null)
                    {
                        CheckRecord(record, row, submission, references, mismatch);
                        records.Add(record);
                    }
                }

                var listed = catalogue.Files.Select(r => SipLayout.DataFolder(r.FileCode)).ToList();
                foreach (var orphan in references.Keys.Where(p => p.StartsWith(SipLayout.Data, StringComparison.Ordinal) && !listed.Any(l => p.StartsWith(l, StringComparison.Ordinal))))
                {
                    mismatch.Add(new(BagProblemKind.Mismatch, orphan, "Content of a record file that the deposit catalogue does not list."));
                }

                if (draft is not null && (draft.RecordFiles != catalogue.Total || !draft.FileCodes.Order(StringComparer.Ordinal).SequenceEqual(catalogue.Files.Select(r => r.FileCode).Order(StringComparer.Ordinal))))
                {
                    mismatch.Add(new(BagProblemKind.Mismatch, SipLayout.RecordJson, "The transfer record and the deposit catalogue do not list the same record files."));
                }
            }

            if (mismatch.Count > 0)
            {
                return Rejected(verification with { Problems = mismatch });
            }

            if (!ingest || user is null)
            {
                return new AccessionResult(false, verification, null, [], []);
            }

            // Accepted: register agencies and fonds, then each record file.
            var reference = receipt.Reference ?? "BBTN-" + verification.TransferId;
            var now = _time.GetUtcNow().ToOffset(SipLayout.VietnamOffset);
            await EnsureFondsAsync(submission!, receipt.ArchivesAgencyId, user, cancellationToken).ConfigureAwait(false);
            var accessioned = new List<string>();
            var already = new List<string>();
            foreach (var record in records)
            {
                if (await IngestAsync(root, record, now, reference, user, cancellationToken).ConfigureAwait(false))
                {
                    accessioned.Add(record.FileCode);
                }
                else
                {
                    already.Add(record.FileCode);
                }
            }

            var completed = draft! with
            {
                Receiving = draft.Receiving with { Name = archives!.Value.Name, Representative = receipt.Representative ?? user.Name },
                Reference = reference,
                AccessionedAt = now,
                Verified = true,
            };
            return new AccessionResult(true, verification, completed, accessioned, already) { Catalogue = catalogue };
        }
        finally
        {
            if (staging is not null && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        static AccessionResult Rejected(SipVerification v) => new(false, v, null, [], []);
    }

    private static void CheckRecord(RecordFile record, DepositRow row, SubmissionInfo submission, IReadOnlyDictionary<string, SipReference> references, List<BagProblem> problems)
    {
        var at = SipLayout.DescriptiveFolder(row.FileCode) + "recordfile.json";
        if (!string.Equals(record.FileCode, row.FileCode, StringComparison.Ordinal)
            || !string.Equals(record.FileCode, RecordFile.ComposeFileCode(record.OrganId, record.FileCatalog, record.FileNotation), StringComparison.Ordinal))
        {
            problems.Add(new(BagProblemKind.Mismatch, at, $"The metadata describes '{record.FileCode}' ({record.OrganId}, {record.FileCatalog}, {record.FileNotation}), the catalogue row '{row.FileCode}'."));
        }

        var fonds = submission.Fonds.FirstOrDefault(f => f.Code == record.FondsCode);
        if (fonds is null || !string.Equals(fonds.AgencyId, record.OrganId, StringComparison.Ordinal))
        {
            problems.Add(new(BagProblemKind.Mismatch, at, $"Fonds '{record.FondsCode}' of agency '{record.OrganId}' is not described in submission.json."));
        }

        if (!record.Maintenance.IsPermanent || record.Status != RecordFileStatus.Finished || record.NonArchival is not null || record.Documents.Any(d => d.NonArchival is not null))
        {
            problems.Add(new(BagProblemKind.Mismatch, at, "Only finished, permanent, archival record files (and documents) are accessioned."));
        }

        if (record.Rights != row.Rights)
        {
            problems.Add(new(BagProblemKind.Mismatch, at, $"Access level {record.Rights} in the metadata, {row.Rights} in the catalogue."));
        }

        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in record.Documents)
        {
            foreach (var c in d.Contents)
            {
                var path = SipLayout.DataFolder(record.FileCode) + d.DocOrdinal.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + "/" + c.Name;
                expected.Add(path);
                if (!references.TryGetValue(path, out var r))
                {
                    problems.Add(new(BagProblemKind.Mismatch, path, $"Document {d.DocOrdinal} of {record.FileCode} names content '{c.Name}' that the package does not carry."));
                }
                else if (!string.Equals(r.Sha256, c.Sha256, StringComparison.OrdinalIgnoreCase) || r.Size != c.Length)
                {
                    problems.Add(new(BagProblemKind.Mismatch, path, $"The metadata gives SHA-256 {c.Sha256} ({c.Length} bytes), METS.xml {r.Sha256} ({r.Size} bytes)."));
                }
            }
        }

        foreach (var p in references.Keys.Where(p => p.StartsWith(SipLayout.DataFolder(record.FileCode), StringComparison.Ordinal) && !expected.Contains(p)))
        {
            problems.Add(new(BagProblemKind.Mismatch, p, $"Content that the metadata of {record.FileCode} does not describe."));
        }
    }

    private static async ValueTask<T?> ReadJsonAsync<T>(string root, string path, IReadOnlyDictionary<string, SipReference> references, List<BagProblem> problems, CancellationToken cancellationToken)
        where T : class
    {
        if (!references.ContainsKey(path))
        {
            problems.Add(new(BagProblemKind.MissingFile, path, "Required by the package layout but not referenced by METS.xml."));
            return null;
        }

        try
        {
            var stream = File.OpenRead(Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar)));
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync<T>(stream, ArchiveJson.Options, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("null");
            }
        }
        catch (JsonException ex)
        {
            problems.Add(new(BagProblemKind.Mismatch, path, "Cannot be read: " + ex.Message));
            return null;
        }
    }

    private async ValueTask EnsureFondsAsync(SubmissionInfo submission, string archivesId, ArchiveUser user, CancellationToken cancellationToken)
    {
        foreach (var agency in submission.Agencies)
        {
            if (await _agencies.GetAsync(agency.Id, cancellationToken).ConfigureAwait(false) is null)
            {
                await _agencies.CreateAsync(agency with { ParentId = null }, user, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var f in submission.Fonds)
        {
            if (await _fonds.GetAsync(f.Code, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                if (!string.Equals(existing.Value.AgencyId, f.AgencyId, StringComparison.Ordinal))
                {
                    throw new ArchiveConflictException("fonds", f.Code, "accession.fonds-mismatch", $"Fonds '{f.Code}' here belongs to '{existing.Value.AgencyId}', the package's to '{f.AgencyId}'.");
                }

                continue;
            }

            if (await _agencies.GetAsync(f.AgencyId, cancellationToken).ConfigureAwait(false) is null)
            {
                await _agencies.CreateAsync(new Agency { Id = f.AgencyId, Name = f.Name }, user, cancellationToken).ConfigureAwait(false);
            }

            // The fonds stays open here: later transfers of the same fonds are accessioned into it. Its closure on the
            // submitting side is kept in the notes.
            var notes = f.Status == FondsStatus.Closed
                ? $"Đóng phông ngày {f.ClosedOn:dd/MM/yyyy} tại cơ quan nộp lưu: {f.ClosingReason}. {f.Notes}".Trim()
                : f.Notes;
            await _fonds.CreateAsync(
                new FondsInput
                {
                    Code = f.Code,
                    Name = f.Name,
                    AgencyId = f.AgencyId,
                    CustodianAgencyId = archivesId,
                    History = f.History,
                    ClassificationScheme = f.ClassificationScheme,
                    Language = f.Language,
                    Notes = notes is { Length: > FondsRegistry.NotesMax } ? notes[..FondsRegistry.NotesMax] : notes,
                },
                user,
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates (or completes) one record file here and marks it accessioned; false when it already was.</summary>
    private async ValueTask<bool> IngestAsync(string root, RecordFile record, DateTimeOffset now, string reference, ArchiveUser user, CancellationToken cancellationToken)
    {
        var existing = await _files.GetAsync(record.FileCode, cancellationToken).ConfigureAwait(false);
        if (existing?.Value.AccessionedAt is not null)
        {
            return false;
        }

        if (existing is null)
        {
            var schedule = await _schedules.GetEffectiveAsync(record.OrganId, cancellationToken).ConfigureAwait(false);
            existing = (await _files.CreateAsync(
                new RecordFileInput
                {
                    FondsCode = record.FondsCode,
                    FileCatalog = record.FileCatalog,
                    FileNotation = record.FileNotation,
                    OrganId = record.OrganId,
                    Title = record.Title,
                    Maintenance = record.Maintenance,
                    ScheduleItemCode = record.ScheduleItemCode is { } item && schedule.Find(item) is not null ? item : null,
                    Rights = record.Rights,
                    Creator = record.Creator,
                    Language = record.Language,
                    StartDate = record.StartDate,
                    EndDate = record.EndDate,
                    Description = record.Description,
                    InforSign = record.InforSign,
                    Keywords = record.Keywords,
                    SheetNumber = record.SheetNumber,
                    Format = record.Format,
                    ConfidenceLevel = record.ConfidenceLevel,
                    PaperFileCode = record.PaperFileCode,
                    Status = RecordFileStatus.Finished,
                },
                user,
                cancellationToken).ConfigureAwait(false)).Stored;
        }

        foreach (var d in record.Documents.OrderBy(d => d.DocOrdinal))
        {
            var here = existing.Value.Documents.FirstOrDefault(x => x.DocOrdinal == d.DocOrdinal);
            if (here is null)
            {
                existing = (await _files.AddDocumentAsync(
                    record.FileCode,
                    new DocumentInput
                    {
                        DocOrdinal = d.DocOrdinal,
                        TypeName = d.TypeName,
                        CodeNumber = d.CodeNumber,
                        CodeNotation = d.CodeNotation,
                        IssuedDate = d.IssuedDate,
                        OrganName = d.OrganName,
                        Subject = d.Subject,
                        Language = d.Language,
                        PageAmount = d.PageAmount,
                        Description = d.Description,
                        SignerInfo = d.SignerInfo,
                        ConfidenceLevel = d.ConfidenceLevel,
                    },
                    null,
                    user,
                    cancellationToken).ConfigureAwait(false)).Stored;
                here = existing.Value.Documents.First(x => x.DocOrdinal == d.DocOrdinal);
            }

            foreach (var c in d.Contents)
            {
                if (here.Contents.Any(x => x.Name == c.Name && x.Sha256 == c.Sha256))
                {
                    continue;
                }

                var path = Path.Combine(root, (SipLayout.DataFolder(record.FileCode) + d.DocOrdinal.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + "/" + c.Name).Replace('/', Path.DirectorySeparatorChar));
                var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (stream.ConfigureAwait(false))
                {
                    existing = (await _files.AddContentAsync(record.FileCode, d.DocOrdinal, new ContentUpload { FileName = c.Name, Content = stream, MediaType = c.MediaType, ExpectedSha256 = c.Sha256 }, null, user, cancellationToken).ConfigureAwait(false)).Stored;
                }

                here = existing.Value.Documents.First(x => x.DocOrdinal == d.DocOrdinal);
            }
        }

        await _files.MarkAccessionedAsync(record.FileCode, now, reference, null, user, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
