using System.Globalization;
using Archive.Documents;
using Archive.Records;
using Archive.Retention;
using Archive.Security;

namespace Archive.Disposition;

/// <summary>The papers of a destruction (Circular 06/2025) printed from a disposition decision.</summary>
public enum DispositionPaper
{
    /// <summary>Danh mục tài liệu hết thời hạn lưu trữ — the list of the record files proposed for destruction.</summary>
    List = 0,

    /// <summary>Bản thuyết minh tài liệu hết thời hạn lưu trữ — counts reviewed / kept / to destroy, dates, groups and reasons.</summary>
    Note = 1,

    /// <summary>Biên bản hủy tài liệu — the destruction record; only once the decision is executed.</summary>
    Record = 2,
}

/// <summary>What a printed paper holds.</summary>
/// <param name="Files">Record files listed (list, note: proposed for destruction; record: destroyed).</param>
/// <param name="MediaType">The media type of the written file (DOCX).</param>
/// <param name="FileName">A file name for it (e.g. <c>bien-ban-huy-tai-lieu-QD-2026-015.docx</c>).</param>
public sealed record DispositionPaperResult(int Files, string MediaType, string FileName);

/// <summary>
/// The destruction papers of Circular 06/2025 printed from a disposition decision as DOCX (issue #18): the list of
/// records past retention (danh mục tài liệu hết thời hạn lưu trữ), the explanatory note (bản thuyết minh) and, once
/// the decision is executed, the destruction record (biên bản hủy tài liệu) with both parties' signature blocks.
/// </summary>
/// <remarks>
/// <para>Rows come from storage: a listed file that still exists is read as it is, a destroyed one from its tombstone
/// in the decision's package. A caller sees the papers of the decisions of an agency it acts for (as reading the
/// decision). The list must be whole, so a caller who may not read every listed file — a Secret one without clearance,
/// or one it may not read otherwise; a destroyed file whose tombstone predates the access level being kept counts as
/// Secret — is refused the papers (403, rule <see cref="DispositionRules.Clearance"/>, audited), never given a list with
/// a row left out. The counts of the note other than the listed files (the agency's other files due for appraisal,
/// kept) count only files the caller may read. Without a caller (offline, the operator) everything is printed.</para>
/// <para>Memory holds one row per listed file (at most 10 000 per decision); the writer streams the rows.</para>
/// </remarks>
public sealed class DispositionPaperService
{
    private readonly DispositionService _decisions;
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly IOfficeDocumentWriter _writer;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly TimeProvider _time;

    /// <summary>Creates the service; <paramref name="policy"/> decides for a caller (null: only the offline operator may print).</summary>
    public DispositionPaperService(DispositionService decisions, RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, IOfficeDocumentWriter writer, IArchiveAccessPolicy? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(writer);
        _decisions = decisions;
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _writer = writer;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Writes <paramref name="paper"/> of decision <paramref name="decisionId"/> into <paramref name="output"/> as DOCX
    /// (synchronous writes: give a file or memory stream). Nothing is written when the call is refused.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The paper is not one of <see cref="DispositionPaper"/> (field <c>paper</c>).</exception>
    /// <exception cref="ArchiveNotFoundException">The decision does not exist.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The decision is another agency's (<see cref="AccessRules.AgencyScope"/>), or it lists a file the caller may not read (<see cref="DispositionRules.Clearance"/>).</exception>
    /// <exception cref="ArchiveConflictException">The destruction record of a decision not executed (<see cref="DispositionRules.NotExecuted"/>).</exception>
    /// <exception cref="InvalidOperationException">A caller is given but the service has no access policy to decide for it.</exception>
    public async ValueTask<DispositionPaperResult> WriteAsync(string decisionId, DispositionPaper paper, ArchiveCaller? caller, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(decisionId);
        ArgumentNullException.ThrowIfNull(output);
        if (caller is not null && _policy is null)
        {
            throw new InvalidOperationException("DispositionPaperService was created without an IArchiveAccessPolicy, so it cannot decide for a caller.");
        }

        if (!Enum.IsDefined(paper))
        {
            throw new ArchiveValidationException("paper", "disposition.paper", "The paper is List, Note or Record.");
        }

        var d = (await _decisions.GetAsync(decisionId, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("disposition-decision", decisionId);
        if (caller is not null)
        {
            await _policy!.RequireAgencyAsync(caller, d.AgencyId, "disposition-decision", cancellationToken).ConfigureAwait(false);
        }

        if (paper == DispositionPaper.Record && d.Status != DispositionStatus.Executed)
        {
            throw new ArchiveConflictException("disposition-decision", d.Id, DispositionRules.NotExecuted,
                $"Decision '{d.Id}' is {d.Status}: the destruction record (biên bản hủy tài liệu) is drawn up only once the decision is executed.");
        }

        var rows = await RowsAsync(d, caller, cancellationToken).ConfigureAwait(false);
        var agency = (await _agencies.GetAsync(d.AgencyId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = agency?.ParentId is { } parentId ? (await _agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var agencyName = agency?.Name ?? d.AgencyId;
        var today = DateOnly.FromDateTime(_time.GetUtcNow().ToOffset(Vietnam).DateTime);
        var heading = new DocumentHeading { ParentAgencyName = parent?.Name, AgencyName = agencyName, Date = today };
        switch (paper)
        {
            case DispositionPaper.List:
                WriteList(d, rows, heading, output);
                return new DispositionPaperResult(rows.Count, DocxMediaType, "danh-muc-tai-lieu-het-thoi-han-luu-tru-" + d.Id + ".docx");
            case DispositionPaper.Note:
                var note = await NoteAsync(d, rows, heading, agencyName, caller, cancellationToken).ConfigureAwait(false);
                _writer.WriteDestructionNoteDocx(note, output);
                return new DispositionPaperResult(rows.Count, DocxMediaType, "thuyet-minh-tai-lieu-het-thoi-han-luu-tru-" + d.Id + ".docx");
            default:
                var record = Record(d, rows, heading, agencyName);
                _writer.WriteDestructionRecordDocx(record, output);
                return new DispositionPaperResult(record.Files, DocxMediaType, "bien-ban-huy-tai-lieu-" + d.Id + ".docx");
        }
    }

    /// <summary>
    /// Before a decision is proposed for <paramref name="caller"/>: every listed code must name a record file the caller
    /// may read. A code of a file it may not read (Secret without clearance) is refused exactly as a code of no file
    /// (field <c>fileCodes[i]</c>, rule <see cref="DispositionRules.NotFound"/>, same message), so that proposing cannot
    /// probe for hidden files, and no decision lists a file its proposer could not see.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule of the proposal itself (as <see cref="DispositionService.ProposeAsync"/>), else every such code, by field; nothing is stored.</exception>
    public async ValueTask RequireProposableAsync(DispositionDecisionInput input, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(caller);
        if (_policy is null)
        {
            throw new InvalidOperationException("DispositionPaperService was created without an IArchiveAccessPolicy, so it cannot decide for a caller.");
        }

        // The proposal's own rules first (every missing field named, as ProposeAsync would), then the codes.
        var errors = DispositionService.ProposalErrors(input);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var fileCodes = input.FileCodes ?? [];
        for (var i = 0; i < fileCodes.Count; i++)
        {
            var code = fileCodes[i]?.Trim();
            if (string.IsNullOrEmpty(code))
            {
                continue; // the proposal's own validation names it
            }

            try
            {
                // A refused code is audited as a refused read (auth.denied, classified as the file is), after the same
                // storage work whether the file is missing or hidden.
                await _policy.RequireReadAsync(caller, await _files.GetAsync(code, cancellationToken).ConfigureAwait(false), code, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveNotFoundException)
            {
                errors.Add(new ValidationError(
                    string.Create(CultureInfo.InvariantCulture, $"fileCodes[{i}]"), DispositionRules.NotFound, $"No record file you may read has the code '{code}'."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }
    }

    /// <summary>
    /// Passes when <paramref name="caller"/> may see what the decision's papers show: the decision is of an agency it acts
    /// for and it may read every listed file (destroyed ones by their tombstones), e.g. before the destruction record
    /// data (titles of the destroyed files) is given out.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">The decision does not exist.</exception>
    /// <exception cref="ArchiveAccessDeniedException">As for <see cref="WriteAsync"/>.</exception>
    public async ValueTask RequireListedReadableAsync(string decisionId, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(decisionId);
        ArgumentNullException.ThrowIfNull(caller);
        if (_policy is null)
        {
            throw new InvalidOperationException("DispositionPaperService was created without an IArchiveAccessPolicy, so it cannot decide for a caller.");
        }

        var d = (await _decisions.GetAsync(decisionId, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("disposition-decision", decisionId);
        await _policy.RequireAgencyAsync(caller, d.AgencyId, "disposition-decision", cancellationToken).ConfigureAwait(false);
        _ = await RowsAsync(d, caller, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Media type of the papers (DOCX).</summary>
    public const string DocxMediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    /// <summary>One listed file as the papers print it.</summary>
    private sealed record Row(string Code, string Notation, string Title, string? FondsCode, DateOnly? Start, DateOnly? End, RetentionPeriod? Maintenance, int? ClosingYear,
        int? Sheets, long Pages, int Documents, int ContentFiles, long ContentBytes, string? NonArchivalReason, bool Exists, DispositionFileResult? Result);

    private async ValueTask<List<Row>> RowsAsync(DispositionDecision d, ArchiveCaller? caller, CancellationToken cancellationToken)
    {
        var results = d.Results.ToDictionary(r => r.FileCode, StringComparer.Ordinal);
        var rows = new List<Row>(d.FileCodes.Count);
        var hidden = false;
        foreach (var code in d.FileCodes)
        {
            var result = results.GetValueOrDefault(code);
            if (result is { Outcome: DispositionFileOutcome.Destroyed or DispositionFileOutcome.Pending or DispositionFileOutcome.Failed }
                && await _decisions.ReadTombstoneAsync(d.Id, code, cancellationToken).ConfigureAwait(false) is { } t
                && (result.Outcome == DispositionFileOutcome.Destroyed || await _files.GetAsync(code, cancellationToken).ConfigureAwait(false) is null))
            {
                // Destroyed (or pending with its package gone): the tombstone is all there is.
                hidden |= caller is not null && !caller.HasSecretClearance && t.Rights is null or AccessLevel.Secret;
                rows.Add(new Row(code, t.FileNotation ?? NotationOf(code, t.OrganId), t.Title, t.FondsCode, t.StartDate, t.EndDate, t.Maintenance, t.ClosingYear,
                    t.SheetNumber, t.PageTotal, t.DocTotal, t.ContentFiles, t.ContentBytes, t.NonArchivalReason, true, result));
                continue;
            }

            var file = (await _files.GetAsync(code, cancellationToken).ConfigureAwait(false))?.Value;
            if (file is null)
            {
                rows.Add(new Row(code, code, "(không tìm thấy hồ sơ)", null, null, null, null, null, null, 0, 0, 0, 0, null, false, result));
                continue;
            }

            hidden |= caller is not null && !await _policy!.CanReadAsync(caller, file, cancellationToken).ConfigureAwait(false);
            rows.Add(new Row(code, file.FileNotation, file.Title, file.FondsCode, file.StartDate, file.EndDate, file.Maintenance, RetentionPlanner.ClosingYear(file),
                file.SheetNumber, file.PageTotal, file.Documents.Count, 0, 0, file.NonArchival?.Reason, true, result));
        }

        if (hidden)
        {
            // The list must be whole: refuse rather than leave a row out (or print a title the caller may not read).
            await _policy!.AuditDeniedAsync(caller!, "disposition-decision", d.Id, "clearance: lists a record file the caller may not read", cancellationToken).ConfigureAwait(false);
            throw new ArchiveAccessDeniedException("decisionId", DispositionRules.Clearance,
                $"Decision '{d.Id}' lists record files you may not read (e.g. Secret without clearance); ask a user cleared for every listed file for its papers.");
        }

        return rows;
    }

    private void WriteList(DispositionDecision d, List<Row> rows, DocumentHeading heading, Stream output)
    {
        var document = new CatalogueDocument
        {
            Kind = CatalogueKind.DestructionList,
            Heading = heading,
            Subtitles = ["(Kèm theo Quyết định số " + d.DecisionNumber + " ngày " + Date(d.DecisionDate) + ")", "Cơ quan, tổ chức: " + heading.AgencyName],
            RetentionColumnTitle = "Thời hạn lưu trữ",
            Signatures = [new Signature("NGƯỜI LẬP"), new Signature("THỦ TRƯỞNG CƠ QUAN")],
        };
        _writer.WriteCatalogueDocx(document, rows.Select(r => new CatalogueEntry
        {
            FileNotation = r.Notation,
            Title = r.Title,
            StartDate = r.Start,
            EndDate = r.End,
            Retention = r.Maintenance?.ToVietnamese() ?? string.Empty,
            IsPermanent = r.Maintenance?.IsPermanent ?? false,
            Sheets = r.Sheets,
            Pages = r.Exists ? (int)Math.Min(int.MaxValue, r.Pages) : null,
            Notes = Reason(r) + (r.Result is { Outcome: DispositionFileOutcome.Refused or DispositionFileOutcome.Failed } res ? ". Không hủy: " + RuleText(res.Rule) : string.Empty),
        }), output);
    }

    private async ValueTask<DestructionNoteDocument> NoteAsync(DispositionDecision d, List<Row> rows, DocumentHeading heading, string agencyName, ArchiveCaller? caller, CancellationToken cancellationToken)
    {
        // Reviewed: the listed files plus the agency's other finished files due for appraisal by the decision's year
        // (or weeded out), which the council kept. Only files the caller may read are counted.
        var listed = rows.Select(r => r.Code).ToHashSet(StringComparer.Ordinal);
        var kept = 0;
        await foreach (var v in _files.ListAsync(new RecordFileQuery { AgencyId = d.AgencyId }, cancellationToken).ConfigureAwait(false))
        {
            var f = v.Value;
            if (listed.Contains(f.FileCode) || f.Status != RecordFileStatus.Finished || f.AccessionedAt is not null
                || (f.NonArchival is null && (RetentionPlanner.AppraisalDueYear(f) is not { } due || due > d.DecisionDate.Year)))
            {
                continue;
            }

            if (caller is null || await _policy!.CanReadAsync(caller, f, cancellationToken).ConfigureAwait(false))
            {
                kept++;
            }
        }

        var fonds = new List<string>();
        foreach (var code in rows.Select(r => r.FondsCode).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var f = (await _fonds.GetAsync(code, cancellationToken).ConfigureAwait(false))?.Value;
            fonds.Add(f is null ? code : f.Name + " (" + code + ")");
        }

        var groups = rows
            .GroupBy(r => !r.Exists ? "missing" : r.NonArchivalReason is not null ? "non-archival" : r.Maintenance?.ToString() ?? "?")
            .OrderBy(g => g.Key switch { "missing" => 3, "non-archival" => 2, _ => 1 })
            .ThenBy(g => g.First().Maintenance?.YearsValue ?? int.MaxValue)
            .Select(g => Group(g.Key, g.ToList()))
            .ToList();
        return new DestructionNoteDocument
        {
            Heading = heading,
            LegalBasis = [d.LegalBasis, d.CouncilMinutesReference],
            AgencyName = agencyName,
            Fonds = fonds,
            Reviewed = rows.Count + kept,
            Kept = kept,
            ToDestroy = rows.Count,
            Pages = rows.Sum(r => r.Pages),
            From = rows.Select(r => r.Start).Min(),
            To = rows.Select(r => r.End).Max(),
            Groups = groups,
            Remarks = d.ExplanatoryNote,
            Signatures = [new Signature("NGƯỜI LẬP"), new Signature("THỦ TRƯỞNG CƠ QUAN")],
        };
    }

    private static DestructionGroup Group(string key, List<Row> rows)
    {
        var years = rows.Select(r => r.ClosingYear).OfType<int>().ToList();
        var span = years.Count == 0 ? string.Empty
            : years.Min() == years.Max() ? string.Create(CultureInfo.InvariantCulture, $" (kết thúc năm {years.Min()})")
            : string.Create(CultureInfo.InvariantCulture, $" (kết thúc từ năm {years.Min()} đến năm {years.Max()})");
        return key switch
        {
            "missing" => new DestructionGroup("Hồ sơ không tìm thấy trong hệ thống", rows.Count, "không tìm thấy hồ sơ để hủy"),
            "non-archival" => new DestructionGroup("Tài liệu trùng lặp, không thuộc diện lưu trữ", rows.Count,
                "tài liệu trùng lặp hoặc không thuộc diện lưu trữ: " + string.Join("; ", rows.Select(r => r.NonArchivalReason!).Distinct(StringComparer.Ordinal)) + span),
            _ => new DestructionGroup("Hồ sơ có thời hạn lưu trữ " + rows[0].Maintenance!.Value.ToVietnamese(), rows.Count, "đã hết thời hạn lưu trữ" + span),
        };
    }

    private static DestructionRecordDocument Record(DispositionDecision d, List<Row> rows, DocumentHeading heading, string agencyName)
    {
        var destroyed = rows.Where(r => r.Result?.Outcome == DispositionFileOutcome.Destroyed).ToList();
        var executed = d.ExecutedAt is { } at ? DateOnly.FromDateTime(at.ToOffset(Vietnam).DateTime) : heading.Date;
        var notes = new List<string>();
        if (d.ApprovedBy is not null)
        {
            notes.Add("Quyết định do " + d.ApprovedBy + " phê duyệt" + (d.ApprovedAt is { } a ? " ngày " + Date(DateOnly.FromDateTime(a.ToOffset(Vietnam).DateTime)) : string.Empty)
                + "; việc hủy do " + (d.ExecutedBy ?? "…") + " thực hiện trên hệ thống lưu trữ.");
        }

        if (destroyed.Any(r => r.Result!.Detail is not null))
        {
            notes.Add("Hệ thống lưu trữ có chế độ ghi một lần (WORM): các phiên bản cũ của dữ liệu chỉ được xóa hẳn khi hết thời hạn khóa lưu giữ của kho.");
        }

        return new DestructionRecordDocument
        {
            Heading = heading with { Date = executed },
            LegalBasis = [d.LegalBasis, "Quyết định số " + d.DecisionNumber + " ngày " + Date(d.DecisionDate) + " về việc hủy tài liệu hết thời hạn lưu trữ", d.CouncilMinutesReference],
            Handing = new Party { Name = agencyName },
            Destroying = new Party { Name = "Người thực hiện hủy trên hệ thống lưu trữ", Representatives = d.ExecutedBy is { } by ? [new Person(by)] : [] },
            RecordsBlockName = "Tài liệu hết thời hạn lưu trữ của " + agencyName,
            From = destroyed.Select(r => r.Start).Min(),
            To = destroyed.Select(r => r.End).Max(),
            Files = destroyed.Count,
            Documents = destroyed.Sum(r => r.Documents),
            Pages = destroyed.Sum(r => r.Pages),
            DigitalFiles = destroyed.Sum(r => r.ContentFiles),
            Bytes = destroyed.Sum(r => r.ContentBytes),
            Method = "Hủy tài liệu điện tử: xóa vĩnh viễn gói lưu trữ của từng hồ sơ (mọi phiên bản, mọi tệp nội dung) khỏi hệ thống lưu trữ và khỏi chỉ mục tìm kiếm; "
                + "chỉ giữ lại thông tin nhận dạng hồ sơ và mã băm SHA-256 của gói đã hủy để đối chiếu",
            NotDestroyed = [.. rows.Where(r => r.Result?.Outcome != DispositionFileOutcome.Destroyed).Select(r => r.Notation + " — " + r.Title + ": " + RuleText(r.Result?.Rule))],
            Notes = notes,
            Attachments = ["Danh mục tài liệu hết thời hạn lưu trữ kèm theo Quyết định số " + d.DecisionNumber + ": " + rows.Count.ToString(CultureInfo.InvariantCulture) + " hồ sơ"],
        };
    }

    /// <summary>Why a listed file is to be destroyed, for a clerk.</summary>
    private static string Reason(Row r) => !r.Exists ? "Không tìm thấy hồ sơ"
        : r.NonArchivalReason is { } why ? "Tài liệu không thuộc diện lưu trữ: " + why
        : r.Maintenance is { IsPermanent: false } m && m.DueYear(r.ClosingYear ?? 0) is not null
            ? "Hết thời hạn lưu trữ " + m.ToVietnamese() + string.Create(CultureInfo.InvariantCulture, $" (tính từ năm {r.ClosingYear})")
            : "Thời hạn lưu trữ " + (r.Maintenance?.ToVietnamese() ?? "…");

    /// <summary>A refusal rule as a clerk reads it.</summary>
    internal static string RuleText(string? rule) => rule switch
    {
        null => "chưa thực hiện",
        DispositionRules.LegalHold => "hồ sơ đang bị tạm giữ (phong tỏa) theo yêu cầu của cơ quan có thẩm quyền",
        DispositionRules.RetentionNotExpired => "hồ sơ chưa hết thời hạn lưu trữ",
        DispositionRules.RetentionPermanent => "hồ sơ bảo quản vĩnh viễn",
        DispositionRules.Accessioned => "hồ sơ đã nộp lưu vào Lưu trữ lịch sử",
        DispositionRules.Unfinished => "hồ sơ chưa kết thúc",
        DispositionRules.NotFound => "không tìm thấy hồ sơ",
        DispositionRules.OtherAgency => "hồ sơ thuộc cơ quan khác",
        DispositionRules.ChangedDuringDisposition => "hồ sơ thay đổi sau khi được kiểm tra",
        DispositionRules.StorageLocked => "hệ thống lưu trữ từ chối xóa (dữ liệu đang bị khóa lưu giữ)",
        _ => rule,
    };

    /// <summary>The notation of a file code <c>OrganId.Year.Notation</c> (tombstones written before the notation was kept).</summary>
    private static string NotationOf(string code, string organId)
    {
        if (!code.StartsWith(organId + ".", StringComparison.Ordinal))
        {
            return code;
        }

        var rest = code[(organId.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot == 4 && rest.AsSpan(0, 4).ContainsAnyExceptInRange('0', '9') is false ? rest[5..] : rest;
    }

    private static string Date(DateOnly d) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
}
