using Archive.Diagnostics;
using Archive.Search;
using Archive.Storage;

namespace Archive.Records;

/// <summary>Import of complete record files: one package version per record file, and batches indexed together.</summary>
public sealed partial class RecordFileService
{
    /// <summary>
    /// Imports a complete record file — its elements, documents and content files — as <b>one</b> package version
    /// (version 1), with one audit event and one background projection, instead of one version per document and per content
    /// file. Every rule of <see cref="CreateAsync"/>, <see cref="AddDocumentAsync(string, DocumentInput, int?, ArchiveUser, CancellationToken)"/> and <see cref="AddContentAsync"/>
    /// applies; every content file is spooled, hashed (checked against its <see cref="ContentUpload.ExpectedSha256"/>)
    /// and its text extracted before anything is stored; all broken rules are reported together, and then nothing
    /// is stored.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule is broken (fields are named <c>documents[i].contents[j].fileName</c> etc.); nothing is stored.</exception>
    /// <exception cref="ContentTooLargeException">A content file is larger than the limit; nothing is stored.</exception>
    /// <exception cref="FondsClosedException">The fonds is closed.</exception>
    /// <exception cref="ArchiveConflictException">A record file with this code exists.</exception>
    public async ValueTask<WriteResult<RecordFile>> ImportAsync(RecordFileImport import, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        return await ImportCoreAsync(import, user, single: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Imports many complete record files (see <see cref="ImportAsync"/>), up to <paramref name="maxParallelism"/> at a
    /// time. Each record file is atomic on its own: one that breaks a rule is reported in its
    /// <see cref="ImportOutcome"/> and the others are still imported. As every change, each record file is flagged for
    /// reindex (<see cref="Indexing.RecordIndexer.PendingPrefix"/>) before its commit and projected in the background,
    /// many per index commit; the flag is cleared once it is in the index, so a crash in between leaves flags that
    /// <see cref="RecordFileService.IndexPendingAsync"/> (or a reindex) completes — never a stored record file that
    /// search silently misses.
    /// </summary>
    /// <param name="imports">The record files.</param>
    /// <param name="user">Who imports them.</param>
    /// <param name="maxParallelism">How many record files are spooled, extracted and committed at once (default: 4 per processor; commits mostly wait for the disk).</param>
    /// <param name="cancellationToken">Cancels the batch; record files already committed stay committed and are projected.</param>
    /// <returns>One outcome per input, in input order.</returns>
    public async ValueTask<IReadOnlyList<ImportOutcome>> ImportBatchAsync(IReadOnlyList<RecordFileImport> imports, ArchiveUser user, int? maxParallelism = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imports);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var degree = maxParallelism ?? (4 * Environment.ProcessorCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1, nameof(maxParallelism));

        var outcomes = new ImportOutcome[imports.Count];
        var committed = new WriteResult<RecordFile>?[imports.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, imports.Count), new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            try
            {
                committed[i] = await ImportCoreAsync(imports[i], user, single: false, ct).ConfigureAwait(false);
            }
            catch (ArchiveException ex)
            {
                outcomes[i] = new ImportOutcome(i, null, ex);
            }
        }).ConfigureAwait(false);

        for (var i = 0; i < imports.Count; i++)
        {
            if (committed[i] is { } done)
            {
                outcomes[i] = new ImportOutcome(i, done, null);
            }
        }

        return outcomes;
    }

    private async ValueTask<WriteResult<RecordFile>> ImportCoreAsync(RecordFileImport import, ArchiveUser user, bool single, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(import.File);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var input = import.File;
        var documentsIn = import.Documents ?? [];

        var fonds = await OpenFondsAsync(input.FondsCode, cancellationToken).ConfigureAwait(false);
        var errors = new List<ValidationError>();
        var warnings = new List<RecordWarning>();
        var schedule = await _schedules.GetEffectiveAsync(fonds.Value.AgencyId, cancellationToken).ConfigureAwait(false);
        var file = Build(input, fonds.Value, schedule, null, errors, warnings);

        // Documents and the checks that need no content: ordinals, names, media types, announced digests.
        var documents = new List<Document>();
        var plans = new List<(Document Document, int Index, List<ContentPlan> Contents)>();
        var next = 1;
        for (var i = 0; i < documentsIn.Count; i++)
        {
            var item = documentsIn[i];
            if (item?.Document is null)
            {
                errors.Add(new($"documents[{i}]", "document.required", "Give the document's elements."));
                continue;
            }

            var ordinal = item.Document.DocOrdinal ?? next;
            next = Math.Max(next, ordinal + 1);
            var document = BuildDocument(item.Document, ordinal, null);
            if (documents.Any(d => d.DocOrdinal == ordinal))
            {
                errors.Add(new($"documents[{i}].docOrdinal", "doc-ordinal.taken", $"Document ordinal {ordinal} is used twice in this record file."));
            }
            else
            {
                documents.Add(document);
            }

            var contents = PlanContents(item.Contents, $"documents[{i}].contents", ordinal, errors);
            plans.Add((document, i, contents));
        }

        // The record file's and documents' own rules, before any content is read (checked again with the content below).
        Validate(Finish(file with { Documents = documents }), fonds.Value, schedule, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        // Spool, hash, check and extract every content file before anything is stored.
        var tempDir = _options.ResolveTempPath();
        Directory.CreateDirectory(tempDir);
        var staged = new List<StagedContent>();
        try
        {
            var finished = new List<Document>();
            foreach (var (document, i, contents) in plans)
            {
                var files = new List<ContentFile>();
                var pageCount = 0;
                foreach (var plan in contents)
                {
                    var s = await StageAsync(plan, document.DocOrdinal, file.FileCode, tempDir, errors, cancellationToken).ConfigureAwait(false);
                    staged.Add(s);
                    files.Add(s.File);
                    pageCount += s.Pages;
                }

                var pageAmount = document.PageAmount == 0 && pageCount > 0 ? Math.Min(pageCount, 999) : document.PageAmount;
                finished.Add(document with { Contents = files, PageAmount = pageAmount });
            }

            file = Finish(file with { Documents = finished });
            Validate(file, fonds.Value, schedule, errors);
            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            foreach (var document in file.Documents)
            {
                await CheckDuplicatesAsync(file, document, warnings, cancellationToken, single ? SearchConsistency.ReadYourWrites : SearchConsistency.Eventual).ConfigureAwait(false);
            }

            var gate = FileLock(file.FileCode);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            var committed = false;
            try
            {
                // The projection comes later, in the background; the flag covers a crash before it.
                await FlagNewAsync(file.FileCode, "import committed, projection follows", cancellationToken).ConfigureAwait(false);

                foreach (var s in staged.Where(s => s.File.TextStatus == TextExtractionStatus.PendingOcr))
                {
                    var ordinal = file.Documents.First(d => d.Contents.Contains(s.File)).DocOrdinal;
                    await FlagOcrPendingAsync(file.FileCode, ordinal, s.File.Name, s.File.Sha256, cancellationToken).ConfigureAwait(false);
                }

                var streams = new List<IDisposable>();
                Versioned<RecordFile> stored;
                try
                {
                    stored = await CommitNewAsync(
                        fonds.Value.Code,
                        file,
                        $"Import record file {file.FileCode} ({file.Documents.Count} documents, {staged.Count} content files)",
                        user,
                        commit => PutStaged(commit, staged.Select(s => (s.File, s)), streams),
                        cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    foreach (var stream in streams)
                    {
                        stream.Dispose();
                    }
                }

                ArchiveTelemetry.RecordFilesCreated.Add(1, new KeyValuePair<string, object?>(ArchiveTelemetry.IngestModeTag, "import"));
                ArchiveTelemetry.Ingested("import", staged.Count, staged.Sum(s => s.File.Length));
                committed = true;
                return Acknowledge(stored, warnings);
            }
            finally
            {
                if (!committed)
                {
                    await _projector.NotCommittedAsync(file.FileCode).ConfigureAwait(false);
                }

                gate.Release();
            }
        }
        finally
        {
            DeleteStaged(staged);
        }
    }
}
