using System.Globalization;
using Archive.Disposition;
using Archive.Documents;
using Archive.Records;
using Archive.Retention;
using Archive.Security;

namespace Archive.Registers;

/// <summary>Rule identifiers of the statistics request.</summary>
public static class StatisticsRules
{
    /// <summary>The year is out of range.</summary>
    public const string YearRange = "statistics.year-range";

    /// <summary>The period ends before it starts.</summary>
    public const string Period = "statistics.period";

    /// <summary>The agency is not registered.</summary>
    public const string AgencyUnknown = "statistics.agency-unknown";

    /// <summary>The fonds is not registered.</summary>
    public const string FondsUnknown = "statistics.fonds-unknown";
}

/// <summary>The XLSX statistics report written by <see cref="StatisticsService.WriteReportAsync"/>.</summary>
/// <param name="Statistics">The figures printed.</param>
/// <param name="MediaType">Media type of the workbook.</param>
/// <param name="FileName">A file name for it.</param>
public sealed record StatisticsReportResult(RecordStatistics Statistics, string MediaType, string FileName);

/// <summary>
/// Statistics per agency, fonds, year and period (issue #18 item 2): record files, documents, pages, bytes and shelf
/// metres, broken down by retention, status, access level, paper/digital and custody; files destroyed (from the
/// tombstones of executed decisions); and the backlog (how much, how much is left, where, how fast). Read from storage —
/// the record files are streamed one at a time (memory holds the breakdown lines and the distinct boxes, never the files)
/// — and counted exactly as the catalogues list them: weeded-out files are left out, and with a caller only the files it
/// may read (<see cref="IArchiveAccessPolicy.CanReadAsync"/>) are counted, so a Secret file is not counted at all for a
/// caller without clearance. Destroyed files count for staff in scope only, a Secret one (or one of unknown level) only
/// with clearance; the backlog counts the batches the caller may see.
/// </summary>
public sealed class StatisticsService
{
    private const decimal DaysPerMonth = 30.436875m;

    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly DispositionService _dispositions;
    private readonly BacklogService _backlog;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly IStatisticsReportWriter? _writer;
    private readonly decimal _boxWidth;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    /// <param name="files">Record files.</param>
    /// <param name="fonds">Fonds (custody).</param>
    /// <param name="agencies">Agencies (names).</param>
    /// <param name="dispositions">Disposition decisions (tombstones of destroyed files).</param>
    /// <param name="backlog">The backlog register.</param>
    /// <param name="options">Box width.</param>
    /// <param name="policy">The access policy for callers (null: only the offline operator, no caller).</param>
    /// <param name="writer">The XLSX writer (null: <see cref="WriteReportAsync"/> is unavailable).</param>
    /// <param name="timeProvider">Clock.</param>
    public StatisticsService(RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, DispositionService dispositions, BacklogService backlog, ArchiveStatisticsOptions? options = null, IArchiveAccessPolicy? policy = null, IStatisticsReportWriter? writer = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(dispositions);
        ArgumentNullException.ThrowIfNull(backlog);
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _dispositions = dispositions;
        _backlog = backlog;
        _policy = policy;
        _writer = writer;
        _boxWidth = (decimal)(options ?? new ArchiveStatisticsOptions()).BoxWidthMetres;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Counts the record files, destroyed files and backlog of <paramref name="request"/> for <paramref name="caller"/> (null: the offline operator, everything).</summary>
    /// <exception cref="ArchiveValidationException">A filter is invalid (named in the error); nothing is counted.</exception>
    public async ValueTask<RecordStatistics> ComputeAsync(StatisticsRequest request, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (caller is not null && _policy is null)
        {
            throw new InvalidOperationException("StatisticsService was created without an IArchiveAccessPolicy, so it cannot count for a caller.");
        }

        request = await CheckAsync(request, cancellationToken).ConfigureAwait(false);
        var fonds = (await _fonds.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Value.Code, f => f.Value, StringComparer.Ordinal);
        var agencies = (await _agencies.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.Value.Id, a => a.Value.Name, StringComparer.Ordinal);

        var totals = new Tally();
        var byAgency = new Breakdown();
        var byFonds = new Breakdown();
        var byYear = new Breakdown();
        var byRetention = new Breakdown();
        var byStatus = new Breakdown();
        var byAccess = new Breakdown();
        var byMedium = new Breakdown();
        var byCustody = new Breakdown();
        var query = new RecordFileQuery { FondsCode = request.FondsCode };
        await foreach (var versioned in _files.ListAsync(query, cancellationToken).ConfigureAwait(false))
        {
            var f = versioned.Value;
            if (f.NonArchival is not null || !fonds.TryGetValue(f.FondsCode, out var fs))
            {
                continue;
            }

            var custodian = ArchiveAccessPolicy.CustodianOf(fs);
            if ((request.AgencyId is { } agency && custodian != agency)
                || (request.Year is { } year && f.FileCatalog != year)
                || !InPeriod(f.StartDate, f.EndDate, request.From, request.To)
                || (caller is not null && !await _policy!.CanReadAsync(caller, f, cancellationToken).ConfigureAwait(false)))
            {
                continue;
            }

            var documents = f.Documents.Where(d => d.NonArchival is null).ToList();
            var bytes = documents.Sum(d => d.Contents.Sum(c => Math.Max(0, c.Length)));
            var box = f.Location is { } l ? l.RoomCode.Trim() + "\u001f" + l.BoxNumber.Trim() : null;
            var pages = Math.Max(0, f.PageTotal);
            void Add(Tally t) => t.Add(documents.Count, pages, bytes, box);
            Add(totals);
            Add(byAgency.Of(custodian, agencies.GetValueOrDefault(custodian) ?? custodian));
            Add(byFonds.Of(fs.Code, fs.Name));
            Add(byYear.Of(f.FileCatalog.ToString("D4", CultureInfo.InvariantCulture), f.FileCatalog.ToString(CultureInfo.InvariantCulture)));
            var (retentionKey, retentionLabel) = Retention(f.Maintenance);
            Add(byRetention.Of(retentionKey, retentionLabel));
            Add(byStatus.Of(f.Status.ToString(), f.Status == RecordFileStatus.Finished ? "Hồ sơ đã giải quyết xong" : "Hồ sơ chưa giải quyết xong"));
            Add(byAccess.Of(f.Rights.ToString(), Access(f.Rights)));
            var (mediumKey, mediumLabel) = Medium(f);
            Add(byMedium.Of(mediumKey, mediumLabel));
            var (custodyKey, custodyLabel) = f.AccessionedAt is not null ? ("Accessioned", "Đã nộp lưu vào Lưu trữ lịch sử")
                : custodian != fs.AgencyId ? ("Transferred", "Đã bàn giao cho cơ quan tiếp nhận")
                : ("Held", "Cơ quan hình thành đang quản lý");
            Add(byCustody.Of(custodyKey, custodyLabel));
        }

        var destroyed = await DestroyedAsync(request, caller, fonds, cancellationToken).ConfigureAwait(false);
        var backlog = await BacklogAsync(request, caller, cancellationToken).ConfigureAwait(false);
        return new RecordStatistics
        {
            Request = request,
            GeneratedAt = _time.GetUtcNow(),
            BoxWidthMetres = _boxWidth,
            Totals = totals.Counts(_boxWidth),
            ByAgency = byAgency.Rows(_boxWidth),
            ByFonds = byFonds.Rows(_boxWidth),
            ByYear = byYear.Rows(_boxWidth),
            ByRetention = byRetention.Rows(_boxWidth),
            ByStatus = byStatus.Rows(_boxWidth),
            ByAccess = byAccess.Rows(_boxWidth),
            ByMedium = byMedium.Rows(_boxWidth),
            ByCustody = byCustody.Rows(_boxWidth),
            Destroyed = destroyed.Counts(_boxWidth),
            Backlog = backlog,
        };
    }

    /// <summary>
    /// Writes the statistics of <paramref name="request"/> as an XLSX report (báo cáo thống kê tài liệu lưu trữ; Vietnamese
    /// headings, one sheet per breakdown) into <paramref name="output"/> (synchronous writes).
    /// </summary>
    /// <exception cref="ArchiveValidationException">A filter is invalid; nothing is written.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="IStatisticsReportWriter"/> was given.</exception>
    public async ValueTask<StatisticsReportResult> WriteReportAsync(StatisticsRequest request, ArchiveCaller? caller, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_writer is null)
        {
            throw new InvalidOperationException("StatisticsService was created without an IStatisticsReportWriter (register .AddOpenXmlDocuments() or the embedded defaults).");
        }

        var statistics = await ComputeAsync(request, caller, cancellationToken).ConfigureAwait(false);
        var document = await StatisticsReport.DocumentAsync(statistics, _agencies, _fonds, caller, cancellationToken).ConfigureAwait(false);
        _writer.WriteStatisticsXlsx(document, output);
        var name = "thong-ke"
            + (statistics.Request.AgencyId is { } a ? "-" + a : string.Empty)
            + (statistics.Request.FondsCode is { } f ? "-" + f : string.Empty)
            + (statistics.Request.Year is { } y ? "-" + y.ToString(CultureInfo.InvariantCulture) : string.Empty)
            + ".xlsx";
        return new StatisticsReportResult(statistics, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
    }

    internal static (string Key, string Label) Retention(RetentionPeriod period) => period.Kind switch
    {
        RetentionKind.Permanent => ("Permanent", "Vĩnh viễn"),
        RetentionKind.Years => ("FixedTerm", "Có thời hạn"),
        _ => ("UntilSuperseded", "Đến khi văn bản hết hiệu lực"),
    };

    internal static string Access(AccessLevel level) => level switch
    {
        AccessLevel.Public => "Công khai",
        AccessLevel.Conditional => "Sử dụng có điều kiện",
        _ => "Mật",
    };

    internal static (string Key, string Label) Medium(RecordFile f)
    {
        var digitised = f.ConfidenceLevel is Reliability.Digitised or Reliability.Mixed;
        return f.ConfidenceLevel == Reliability.BornDigital ? ("BornDigital", "Tài liệu điện tử gốc")
            : digitised && f.Location is not null ? ("PaperAndDigitised", "Tài liệu giấy đã số hóa")
            : digitised ? ("Digitised", "Tài liệu số hóa (chưa ghi vị trí bản giấy)")
            : f.Location is not null ? ("Paper", "Tài liệu giấy chưa số hóa")
            : ("NotStated", "Chưa xác định");
    }

    /// <summary>Whether a record of dates start–end falls in the period (any overlap); without a period, always; without dates, never in a period.</summary>
    internal static bool InPeriod(DateOnly? start, DateOnly? end, DateOnly? from, DateOnly? to)
    {
        if (from is null && to is null)
        {
            return true;
        }

        var first = start ?? end;
        var last = end ?? start;
        return first is not null && (from is not { } f || last >= f) && (to is not { } t || first <= t);
    }

    private async ValueTask<StatisticsRequest> CheckAsync(StatisticsRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var max = _time.GetUtcNow().Year + 1;
        if (request.Year is { } y && (y < 1000 || y > max))
        {
            errors.Add(new("year", StatisticsRules.YearRange, $"The year must be between 1000 and {max}."));
        }

        if (request.From is { } from && request.To is { } to && to < from)
        {
            errors.Add(new("to", StatisticsRules.Period, "The period ends (to) before it starts (from)."));
        }

        var agency = string.IsNullOrWhiteSpace(request.AgencyId) ? null : request.AgencyId.Trim();
        if (agency is not null && await _agencies.GetAsync(agency, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new("agencyId", StatisticsRules.AgencyUnknown, $"Agency '{agency}' is not registered."));
        }

        var fonds = string.IsNullOrWhiteSpace(request.FondsCode) ? null : request.FondsCode.Trim();
        if (fonds is not null && await _fonds.GetAsync(fonds, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new("fondsCode", StatisticsRules.FondsUnknown, $"Fonds '{fonds}' is not registered."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return request with { AgencyId = agency, FondsCode = fonds };
    }

    private async ValueTask<Tally> DestroyedAsync(StatisticsRequest request, ArchiveCaller? caller, Dictionary<string, Fonds> fonds, CancellationToken cancellationToken)
    {
        var tally = new Tally();
        if (caller is not null && !caller.IsStaff)
        {
            return tally;
        }

        await foreach (var decision in _dispositions.ListAsync(new DispositionQuery(), null, cancellationToken).ConfigureAwait(false))
        {
            var d = decision.Value;
            if (d.Status is not (DispositionStatus.Executing or DispositionStatus.Executed))
            {
                continue;
            }

            foreach (var result in d.Results.Where(r => r.Outcome == DispositionFileOutcome.Destroyed))
            {
                var t = await _dispositions.ReadTombstoneAsync(d.Id, result.FileCode, cancellationToken).ConfigureAwait(false);
                if (t is null)
                {
                    continue;
                }

                var custodian = fonds.TryGetValue(t.FondsCode, out var fs) ? ArchiveAccessPolicy.CustodianOf(fs) : d.AgencyId;
                if ((request.FondsCode is { } code && t.FondsCode != code)
                    || (request.AgencyId is { } agency && custodian != agency)
                    || (request.Year is { } year && YearOf(t) != year)
                    || !InPeriod(t.StartDate, t.EndDate, request.From, request.To))
                {
                    continue;
                }

                // Staff in scope only; a Secret tombstone (or one written before the level was kept) only with clearance.
                if (caller is not null
                    && (!(caller.ReadsAcross || caller.Agencies.Contains(custodian))
                        || ((t.Rights is null || t.Rights == AccessLevel.Secret) && !caller.HasSecretClearance)))
                {
                    continue;
                }

                tally.Add(Math.Max(0, t.DocTotal), Math.Max(0, t.PageTotal), Math.Max(0, t.ContentBytes), null);
            }
        }

        return tally;
    }

    /// <summary>The year formed, from the code <c>OrganId.YYYY.Notation</c>; the closing year when the code does not say.</summary>
    private static int YearOf(DestructionTombstone t)
        => t.FileCode.Length >= t.OrganId.Length + 5 && t.FileCode.StartsWith(t.OrganId + ".", StringComparison.Ordinal)
            && int.TryParse(t.FileCode.AsSpan(t.OrganId.Length + 1, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : t.ClosingYear;

    private async ValueTask<BacklogStatistics> BacklogAsync(StatisticsRequest request, ArchiveCaller? caller, CancellationToken cancellationToken)
    {
        var byStatus = Enum.GetValues<BacklogStatus>().ToDictionary(s => s, _ => new BacklogTally());
        var byLocation = new SortedDictionary<string, BacklogTally>(StringComparer.Ordinal);
        var all = new BacklogTally();
        DateTimeOffset? first = null;
        var query = new BacklogQuery { AgencyId = request.AgencyId, FondsCode = request.FondsCode };
        await foreach (var item in _backlog.ListAsync(query, caller, cancellationToken).ConfigureAwait(false))
        {
            var b = item.Value;
            if ((request.Year is { } year && (year < b.FromYear || year > b.ToYear))
                || (request.From is { } from && b.ToYear < from.Year)
                || (request.To is { } to && b.FromYear > to.Year))
            {
                continue;
            }

            all.Add(b);
            byStatus[b.Status].Add(b);
            if (b.RemainingMetres > 0 || b.Status != BacklogStatus.Processed)
            {
                var where = b.Location ?? string.Empty;
                if (!byLocation.TryGetValue(where, out var l))
                {
                    byLocation[where] = l = new BacklogTally();
                }

                l.Add(b);
            }

            if (b.StartedAt is { } started && (first is null || started < first))
            {
                first = started;
            }
        }

        decimal? speed = null;
        if (first is { } since)
        {
            var days = Math.Max(1m, (decimal)(_time.GetUtcNow() - since).TotalDays);
            speed = Math.Round(all.Processed / (days / DaysPerMonth), 3);
        }

        return new BacklogStatistics
        {
            Batches = all.Batches,
            ShelfMetres = all.Metres,
            ProcessedMetres = all.Processed,
            RemainingMetres = all.Remaining,
            Boxes = all.Boxes,
            Bundles = all.Bundles,
            FilesProduced = all.Files,
            FirstStartedAt = first,
            MetresPerMonth = speed,
            ByStatus = byStatus.Select(s => s.Value.Row(s.Key.ToString(), StatusLabel(s.Key))).ToList(),
            ByLocation = byLocation.Select(l => l.Value.Row(l.Key, l.Key.Length == 0 ? "Chưa ghi vị trí" : l.Key)).ToList(),
        };
    }

    internal static string StatusLabel(BacklogStatus status) => status switch
    {
        BacklogStatus.NotProcessed => "Chưa chỉnh lý",
        BacklogStatus.InProgress => "Đang chỉnh lý",
        _ => "Đã chỉnh lý",
    };

    /// <summary>The counts of one line: sums and the distinct boxes.</summary>
    private sealed class Tally
    {
        private readonly HashSet<string> _boxes = new(StringComparer.Ordinal);
        private long _files;
        private long _documents;
        private long _pages;
        private long _bytes;

        public void Add(long documents, long pages, long bytes, string? box)
        {
            _files++;
            _documents += documents;
            _pages += pages;
            _bytes += bytes;
            if (box is not null)
            {
                _boxes.Add(box);
            }
        }

        public StatisticsCounts Counts(decimal boxWidth) => new()
        {
            Files = _files,
            Documents = _documents,
            Pages = _pages,
            Bytes = _bytes,
            Boxes = _boxes.Count,
            ShelfMetres = _boxes.Count * boxWidth,
        };
    }

    /// <summary>The lines of one breakdown, in key order.</summary>
    private sealed class Breakdown
    {
        private readonly SortedDictionary<string, (string Label, Tally Tally)> _lines = new(StringComparer.Ordinal);

        public Tally Of(string key, string label)
        {
            if (!_lines.TryGetValue(key, out var line))
            {
                _lines[key] = line = (label, new Tally());
            }

            return line.Tally;
        }

        public IReadOnlyList<StatisticsRow> Rows(decimal boxWidth) => _lines.Select(l => new StatisticsRow(l.Key, l.Value.Label, l.Value.Tally.Counts(boxWidth))).ToList();
    }

    private sealed class BacklogTally
    {
        public int Batches { get; private set; }

        public decimal Metres { get; private set; }

        public decimal Processed { get; private set; }

        public decimal Remaining { get; private set; }

        public long Boxes { get; private set; }

        public long Bundles { get; private set; }

        public long Files { get; private set; }

        public void Add(BacklogBatch b)
        {
            Batches++;
            Metres += Math.Max(0, b.ShelfMetres);
            Processed += Math.Clamp(b.ProcessedMetres, 0, Math.Max(0, b.ShelfMetres));
            Remaining += b.RemainingMetres;
            Boxes += Math.Max(0, b.Boxes);
            Bundles += Math.Max(0, b.Bundles);
            Files += b.FileCodes.Count;
        }

        public BacklogStatisticsRow Row(string key, string label) => new(key, label, Batches, Metres, Processed, Remaining, Boxes, Bundles, Files);
    }
}
