using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Archive.Records;
using Archive.Registers;

/// <summary>
/// The backlog register and the statistics offline (issue #18 items 3 and 2): <c>backlog register|list|status|link</c> and
/// <c>statistics report</c>, on the engine's <see cref="BacklogService"/> and <see cref="StatisticsService"/> of the data
/// folder, as the operator (no caller: every agency, every file counted).
/// </summary>
internal sealed partial class ExchangeCommand
{
    // A property, not a field: VerbList (ExchangeCommand.cs) spreads it, and static field initialisers of partial files run in no defined order.
    private static Verb[] BacklogVerbs =>
    [
        new("backlog register", "--agency ID --source TEXT --from-year YYYY --to-year YYYY [--fonds CODE] [--metres M] [--boxes N] [--bundles N] [--condition Good|Normal|Damaged] [--location TEXT] [--notes TEXT] [--id ID]",
            "Registers a batch of un-arranged records (khối tài liệu chưa chỉnh lý) held by the agency: source, years, shelf metres (mét giá), boxes, bundles, condition, location. Prints its id.",
            ["agency", "source", "from-year", "to-year", "fonds", "metres", "boxes", "bundles", "condition", "location", "notes", "id"], [], null),
        new("backlog list", "[--agency ID] [--fonds CODE] [--status NotProcessed|InProgress|Processed]",
            "Lists the backlog register: id, agency, fonds, years, status, metres processed of metres, boxes, location, record files produced.",
            ["agency", "fonds", "status"], [], null),
        new("backlog status", "--batch ID --status NotProcessed|InProgress|Processed [--processed-metres M] [--note TEXT]",
            "Records a processing step: the status only moves forward (chưa chỉnh lý → đang chỉnh lý → đã chỉnh lý), the metres processed never go back.",
            ["batch", "status", "processed-metres", "note"], [], null),
        new("backlog link", "--batch ID --files C1,C2",
            "Links the record files produced from a batch (each existing, of a fonds the batch's agency holds, in no other batch).",
            ["batch", "files"], [], null),
        new("statistics report", "[--agency ID] [--fonds CODE] [--year YYYY] [--from yyyy-MM-dd] [--to yyyy-MM-dd] [--out FILE.xlsx]",
            "Counts record files, documents, pages, bytes and shelf metres by agency, fonds, year, retention, status, access, medium and custody, destroyed files and the backlog; prints JSON, and with --out writes the XLSX report (báo cáo thống kê).",
            ["agency", "fonds", "year", "from", "to", "out"], [], null),
    ];

    private static readonly JsonSerializerOptions StatisticsJson = CreateStatisticsJson();

    private static JsonSerializerOptions CreateStatisticsJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }

    private static bool IsBacklogVerb(string name) => name.StartsWith("backlog ", StringComparison.Ordinal) || name.StartsWith("statistics ", StringComparison.Ordinal);

    private static decimal? DecimalOf(string? value) => decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static int? IntOf(string? value) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static DateOnly? DateOf(string? value) => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static BacklogStatus? StatusOf(string? value) => value?.ToLowerInvariant() switch
    {
        "notprocessed" => BacklogStatus.NotProcessed,
        "inprogress" => BacklogStatus.InProgress,
        "processed" => BacklogStatus.Processed,
        _ => null,
    };

    /// <summary>The usage errors of the backlog and statistics verbs (values that cannot be read; the engine checks the rest).</summary>
    private string? CheckBacklogAndStatistics()
    {
        string? Need(params string[] names) => names.FirstOrDefault(n => !_options.ContainsKey(n)) is { } missing ? $"Missing option --{missing}." : null;
        string? Number(string name, bool whole)
        {
            var kind = whole ? "whole number" : "number (e.g. 12.5)";
            return _options.TryGetValue(name, out var v) && (whole ? IntOf(v) is null : DecimalOf(v) is null) ? $"Option --{name} must be a {kind}, not '{v}'." : null;
        }

        string? Date(string name) => _options.TryGetValue(name, out var v) && DateOf(v) is null ? $"Option --{name} must be a date yyyy-MM-dd, not '{v}'." : null;
        string? Status(bool required) => _options.TryGetValue("status", out var v) ? (StatusOf(v) is null ? $"Option --status is NotProcessed, InProgress or Processed, not '{v}'." : null)
            : required ? "Missing option --status." : null;
        return _verb!.Name switch
        {
            "backlog register" => Need("agency", "source") ?? Need("from-year", "to-year")
                ?? Number("from-year", true) ?? Number("to-year", true) ?? Number("metres", false) ?? Number("boxes", true) ?? Number("bundles", true)
                ?? (_options.TryGetValue("condition", out var c) && !Enum.TryParse<PhysicalCondition>(c, ignoreCase: true, out _) | int.TryParse(c, out _) ? $"Option --condition is Good, Normal or Damaged, not '{c}'." : null),
            "backlog list" => Status(required: false),
            "backlog status" => Need("batch") ?? Status(required: true) ?? Number("processed-metres", false),
            "backlog link" => Need("batch", "files"),
            _ => Number("year", true) ?? Date("from") ?? Date("to"),
        };
    }

    private sealed partial class Run
    {
        public async Task<int> BacklogAsync()
        {
            var backlog = services.GetRequiredService<BacklogService>();
            switch (command._verb!.Name)
            {
                case "backlog register":
                {
                    var input = new BacklogBatchInput
                    {
                        Id = Option("id"),
                        AgencyId = Option("agency"),
                        SourceAgency = Option("source"),
                        FondsCode = Option("fonds"),
                        FromYear = IntOf(Option("from-year")),
                        ToYear = IntOf(Option("to-year")),
                        ShelfMetres = DecimalOf(Option("metres")) ?? 0,
                        Boxes = IntOf(Option("boxes")) ?? 0,
                        Bundles = IntOf(Option("bundles")) ?? 0,
                        Condition = Option("condition") is { } c ? Enum.Parse<PhysicalCondition>(c, ignoreCase: true) : PhysicalCondition.Normal,
                        Location = Option("location"),
                        Notes = Option("notes"),
                    };
                    var stored = await backlog.RegisterAsync(input, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync(stored.Value.Id).ConfigureAwait(false);
                    await error.WriteLineAsync($"Registered backlog batch {stored.Value.Id} of {stored.Value.AgencyId}: {Metres(stored.Value.ShelfMetres)} m, {stored.Value.Boxes} boxes, {stored.Value.Bundles} bundles (NotProcessed).").ConfigureAwait(false);
                    return Success;
                }

                case "backlog list":
                {
                    var query = new BacklogQuery { AgencyId = Option("agency"), FondsCode = Option("fonds"), Status = StatusOf(Option("status")) };
                    var count = 0;
                    await foreach (var v in backlog.ListAsync(query, caller: null, cancellationToken).ConfigureAwait(false))
                    {
                        var b = v.Value;
                        count++;
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{b.Id}\t{b.AgencyId}\t{b.FondsCode ?? "-"}\t{b.FromYear}-{b.ToYear}\t{b.Status}\t{Metres(b.ProcessedMetres)}/{Metres(b.ShelfMetres)} m\t{b.Boxes} boxes\t{b.Location ?? "-"}\t{b.FileCodes.Count} files")).ConfigureAwait(false);
                    }

                    await error.WriteLineAsync(count.ToString(CultureInfo.InvariantCulture) + " batches").ConfigureAwait(false);
                    return Success;
                }

                case "backlog status":
                {
                    var input = new BacklogStatusInput { Status = StatusOf(Option("status"))!.Value, ProcessedMetres = DecimalOf(Option("processed-metres")), Note = Option("note") };
                    var stored = await backlog.ChangeStatusAsync(Option("batch")!, input, expectedVersion: null, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"{stored.Value.Id}\t{stored.Value.Status}\t{Metres(stored.Value.ProcessedMetres)}/{Metres(stored.Value.ShelfMetres)} m\tv{stored.Version}").ConfigureAwait(false);
                    return Success;
                }

                default:
                {
                    var codes = Codes(Option("files")) ?? [];
                    var stored = await backlog.LinkFilesAsync(Option("batch")!, codes, expectedVersion: null, caller: null, User, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"{stored.Value.Id}\t{stored.Value.FileCodes.Count} files\tv{stored.Version}").ConfigureAwait(false);
                    return Success;
                }
            }
        }

        public async Task<int> StatisticsAsync()
        {
            var statistics = services.GetRequiredService<StatisticsService>();
            var request = new StatisticsRequest
            {
                AgencyId = Option("agency"),
                FondsCode = Option("fonds"),
                Year = IntOf(Option("year")),
                From = DateOf(Option("from")),
                To = DateOf(Option("to")),
            };
            RecordStatistics result;
            if (Option("out") is { } outPath)
            {
                var target = Path.GetFullPath(outPath);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var partial = target + ".partial";
                try
                {
                    await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 65536))
                    {
                        // Offline, the operator: no caller, every file counted.
                        result = (await statistics.WriteReportAsync(request, caller: null, file, cancellationToken).ConfigureAwait(false)).Statistics;
                        file.Flush(flushToDisk: true);
                    }

                    File.Move(partial, target, overwrite: true);
                }
                catch
                {
                    File.Delete(partial);
                    throw;
                }

                await AppendAsync(Archive.Audit.AuditActions.Export, "statistics", request.FondsCode ?? request.AgencyId ?? "all", true,
                    string.Create(CultureInfo.InvariantCulture, $"report{(request.Year is { } y ? " " + y : string.Empty)}: {result.Totals.Files} files, offline")).ConfigureAwait(false);
                await error.WriteLineAsync($"Wrote {target}").ConfigureAwait(false);
            }
            else
            {
                result = await statistics.ComputeAsync(request, caller: null, cancellationToken).ConfigureAwait(false);
            }

            await output.WriteLineAsync(JsonSerializer.Serialize(result, StatisticsJson)).ConfigureAwait(false);
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{result.Totals.Files} record files, {result.Totals.Pages} pages, {Metres(result.Totals.ShelfMetres)} m; backlog {Metres(result.Backlog.RemainingMetres)} of {Metres(result.Backlog.ShelfMetres)} m left")).ConfigureAwait(false);
            return Success;
        }

        private static string Metres(decimal m) => m.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
