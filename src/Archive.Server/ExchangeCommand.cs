using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Archive;
using Archive.Audit;
using Archive.Disposition;
using Archive.Documents;
using Archive.Exchange;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Registers;
using Archive.Reorganisation;
using Archive.Transfer;
using Microsoft.Extensions.Options;

/// <summary>
/// The package exchange offline, for packages carried on a storage device (issue #21): <c>handover export|verify|accept</c>,
/// <c>transfer export|confirm</c>, <c>accession verify|import</c>. The verbs run the engine's services of the data
/// folder directly (<see cref="HandoverService"/>, <see cref="TransferService"/>, <see cref="AccessionService"/>) —
/// the HTTP server is not started — with the seal and trust list of <c>Archive:Exchange:Seal:*</c>, progress on stderr,
/// the report on stdout and an exit code: 0 done, 1 package rejected, 2 usage error, 3 refused by a rule, 4 failure.
/// Other arguments (e.g. <c>--Archive:DataPath=DIR</c>) are configuration, as for the server.
/// </summary>
internal sealed partial class ExchangeCommand
{
    /// <summary>Done (a verification found the package sound).</summary>
    public const int Success = 0;

    /// <summary>The package failed verification: rejected, nothing changed.</summary>
    public const int Rejected = 1;

    /// <summary>Unknown verb or option, a missing or malformed option.</summary>
    public const int UsageError = 2;

    /// <summary>Refused by a rule of the engine (validation, conflict, something named that does not exist).</summary>
    public const int Refused = 3;

    /// <summary>Anything else (configuration, I/O, a broken store).</summary>
    public const int Failure = 4;

    private static readonly string[] Groups = ["handover", "transfer", "accession", "catalogue", "disposition", "record", "backup", "location", "backlog", "statistics", "changes", "webhook", "access-request", "migrate"];
    private static readonly string[] HelpWords = ["help", "--help", "-h", "-?"];
    private static readonly string[] HostKeys = ["environment", "contentRoot", "applicationName"];

    /// <summary>Options that may be given more than once (their values are kept in order).</summary>
    private static readonly string[] Repeatable = ["file-code"];

    private static readonly Verb[] VerbList =
    [
        new("handover export", "--fonds CODE (--to-agency ID | --event EVENT_ID) [--files C1,C2] (--to DIR | --tar FILE) [--resume]",
            "Builds the handover package (bàn giao) of a fonds as a BagIt bag, sealed with Archive:Exchange:Seal, in a new folder or a tar file.",
            ["fonds", "to-agency", "event", "files", "to", "tar"], ["resume"], null),
        new("handover verify", "PATH --agency RECEIVING_ID",
            "Verifies a handover package (folder or .tar) for the receiving agency; changes nothing. Exit 0 sound, 1 problems.",
            ["agency"], [], "PATH"),
        new("handover accept", "PATH --agency RECEIVING_ID",
            "Verifies the package again and accepts it: the fonds passes into the receiving agency's custody. Exit 0 accepted, 1 rejected.",
            ["agency"], [], "PATH"),
        new("transfer export", "--agency SUBMITTING_ID --archives ARCHIVES_ID [--files C1,C2 | --fonds CODE] [--as-of yyyy-MM-dd] [--legal-basis TEXT] [--archives-name NAME] (--tar FILE | --to DIR)",
            "Builds the submission package (nộp lưu) of permanent record files for the Historical Archives: the files named, else those due on --as-of (today).",
            ["agency", "archives", "archives-name", "files", "fonds", "as-of", "legal-basis", "tar", "to"], [], null),
        new("transfer confirm", "RECORD.json",
            "Records back the transfer record the Historical Archives completed: the files it lists are marked accessioned here.",
            [], [], "RECORD.json"),
        new("accession verify", "PATH --archives ARCHIVES_ID",
            "Verifies a submission package (folder or .tar) for the Historical Archives; changes nothing. Exit 0 sound, 1 problems.",
            ["archives"], [], "PATH"),
        new("accession import", "PATH --archives ARCHIVES_ID [--reference NUMBER] [--representative NAME] [--records-out FILE.json] [--documents DIR]",
            "Verifies and accessions a submission package; writes the completed transfer record (JSON) for the submitting agency.",
            ["archives", "reference", "representative", "records-out", "documents"], [], "PATH"),
        new("catalogue export", "--fonds CODE [--kind catalogue|list] [--status Finished|Unfinished] [--year YYYY] [--file-code CODE]... [--format xlsx|docx|csv] --out FILE|DIR/",
            "Prints the catalogue of a fonds' record files (mục lục hồ sơ; --status Unfinished: danh sách hồ sơ chưa giải quyết xong) or its file list (--kind list: danh mục hồ sơ), read from storage, into FILE (its folder is created) or, when --out names a folder (ends with / or exists), into a file named after the list there. --file-code (repeated, at most 100): only these record files.",
            ["fonds", "kind", "status", "year", "file-code", "format", "out"], [], null),
        new("catalogue documents", "--file CODE [--format xlsx|docx|csv] --out FILE|DIR/",
            "Prints the catalogue of the documents inside one record file (mục lục văn bản), in its document order, into FILE or a folder (created when missing).",
            ["file", "format", "out"], [], null),
        new("disposition list", "[--status Proposed|Approved|Executing|Executed] [--agency ID]",
            "Lists the register of destruction decisions (sổ quyết định hủy tài liệu) read from storage: id, number, date, agency, status, files.",
            ["status", "agency"], [], null),
        new("disposition papers", "--decision ID --paper list|note|record --out FILE.docx",
            "Prints a destruction paper of a decision as DOCX: list (danh mục tài liệu hết thời hạn lưu trữ), note (bản thuyết minh) or record (biên bản hủy tài liệu, once executed).",
            ["decision", "paper", "out"], [], null),
        new("record export", "--file CODE --out DIR",
            "Exports a whole record file as one PDF (cover, mục lục văn bản, contents in chronological order) plus its XML, each with a .sha256 sidecar, into DIR.",
            ["file", "out"], [], null),
        .. BackupVerbs,
        .. LocationVerbs,
        .. BacklogVerbs,
        .. IntegrationVerbs,
        .. AccessRequestVerbs,
        .. MigrationVerbs,
    ];

    /// <summary>What an engine field is called on the command line, by verb (for the messages of a refusal).</summary>
    private static readonly Dictionary<string, string> FieldOptions = new(StringComparer.Ordinal)
    {
        ["fondsCode"] = "--fonds",
        ["receivingAgencyId"] = "--to-agency",
        ["eventId"] = "--event",
        ["fileCodes"] = "--files",
        ["submittingAgencyId"] = "--agency",
        ["archivesAgencyId"] = "--archives",
        ["asOf"] = "--as-of",
        ["due"] = "--as-of",
        ["user"] = "--user",
        ["year"] = "--year",
        ["format"] = "--format",
        ["status"] = "--status",
        ["decisionId"] = "--decision",
        ["paper"] = "--paper",
        ["fileCode"] = "--file",
        ["target"] = "--to",
        ["incrementalFrom"] = "--incremental-from",
        ["data"] = "--data",
        ["roomCode"] = "--room", ["boxNumber"] = "--box", ["boxNumbers"] = "--box", ["shelf"] = "--shelf", ["compartment"] = "--compartment",
        ["positionInBox"] = "--position", ["medium"] = "--medium", ["deviceLabel"] = "--device", ["sealNumber"] = "--seal", ["agencyId"] = "--agency",
        ["sourceAgency"] = "--source",
        ["fromYear"] = "--from-year",
        ["toYear"] = "--to-year",
        ["shelfMetres"] = "--metres",
        ["boxes"] = "--boxes",
        ["bundles"] = "--bundles",
        ["condition"] = "--condition",
        ["location"] = "--location",
        ["notes"] = "--notes",
        ["id"] = "--id",
        ["processedMetres"] = "--processed-metres",
        ["note"] = "--note",
        ["from"] = "--from",
        ["to"] = "--to",
        ["after"] = "--after", ["limit"] = "--limit", ["url"] = "--url", ["events"] = "--events", ["description"] = "--description", ["startAfter"] = "--start-after",
        ["validDays"] = "--days", ["reason"] = "--reason",
        ["path"] = "PATH",
    };

    private readonly Verb? _verb;
    private readonly Dictionary<string, string> _options;
    private readonly HashSet<string> _flags;
    private readonly string? _argument;
    private readonly string? _usageError;
    private readonly string? _helpFor;

    private ExchangeCommand(Verb? verb, Dictionary<string, string> options, HashSet<string> flags, string? argument, string? usageError, string? helpFor)
    {
        _verb = verb;
        _options = options;
        _flags = flags;
        _argument = argument;
        _usageError = usageError;
        _helpFor = helpFor;
    }

    /// <summary>Whether the command runs against the engine (false: help, or a usage error answered without it).</summary>
    public bool NeedsEngine => _usageError is null && _helpFor is null;

    /// <summary>
    /// The command when <paramref name="args"/> start with <c>handover</c>, <c>transfer</c>, <c>accession</c>, <c>catalogue</c> or
    /// <c>help</c>; null otherwise (the server starts). <paramref name="hostArgs"/> = the configuration arguments.
    /// </summary>
    public static ExchangeCommand? Parse(string[] args, out string[] hostArgs)
    {
        hostArgs = args;
        if (args.Length == 0)
        {
            return null;
        }

        if (HelpWords.Contains(args[0], StringComparer.Ordinal))
        {
            hostArgs = [];
            return Help(string.Empty);
        }

        if (!Groups.Contains(args[0], StringComparer.Ordinal))
        {
            return null;
        }

        hostArgs = [];
        var group = args[0];
        if (args.Length < 2 || args[1].StartsWith('-') && !HelpWords.Contains(args[1], StringComparer.Ordinal))
        {
            return Usage(null, $"Name what to do: {string.Join(", ", VerbList.Where(v => v.Name.StartsWith(group + " ", StringComparison.Ordinal)).Select(v => v.Name))}.");
        }

        if (HelpWords.Contains(args[1], StringComparer.Ordinal))
        {
            return Help(group);
        }

        var verb = VerbList.FirstOrDefault(v => v.Name == group + " " + args[1]);
        if (verb is null)
        {
            return Usage(null, $"Unknown verb '{group} {args[1]}'. Verbs: {string.Join(", ", VerbList.Select(v => v.Name))}.");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var rest = new List<string>();
        string? argument = null;
        for (var i = 2; i < args.Length; i++)
        {
            var a = args[i];
            if (HelpWords.Contains(a, StringComparer.Ordinal))
            {
                return Help(verb.Name);
            }

            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                if (verb.Argument is null || argument is not null)
                {
                    return Usage(verb, $"Unexpected argument '{a}'.");
                }

                argument = a;
                continue;
            }

            var equals = a.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? a[2..] : a[2..equals];
            string? inline = equals < 0 ? null : a[(equals + 1)..];
            if (verb.Options.Contains(name, StringComparer.Ordinal) || name == "user")
            {
                var value = inline;
                if (value is null)
                {
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        return Usage(verb, $"Option --{name} needs a value.");
                    }

                    value = args[++i];
                }

                if (string.IsNullOrWhiteSpace(value))
                {
                    return Usage(verb, $"Option --{name} needs a value.");
                }

                if (Repeatable.Contains(name, StringComparer.Ordinal) && options.TryGetValue(name, out var earlier))
                {
                    options[name] = earlier + "\n" + value;
                }
                else if (!options.TryAdd(name, value))
                {
                    return Usage(verb, $"Option --{name} is given twice.");
                }
            }
            else if (verb.Flags.Contains(name, StringComparer.Ordinal))
            {
                if (inline is not null)
                {
                    return Usage(verb, $"Option --{name} takes no value.");
                }

                flags.Add(name);
            }
            else if (name.Contains(':', StringComparison.Ordinal) || HostKeys.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                // Configuration (--Archive:DataPath=DIR, --Archive:DataPath DIR, --environment Production).
                rest.Add(a);
                if (inline is null && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    rest.Add(args[++i]);
                }
            }
            else
            {
                return Usage(verb, $"Unknown option --{name} for '{verb.Name}'.");
            }
        }

        hostArgs = [.. rest, .. BackupHostArgs(verb, options)];
        var command = new ExchangeCommand(verb, options, flags, argument, null, null);
        return command.CheckRequired() is { } error ? Usage(verb, error) : command;
    }

    /// <summary>Answers help and usage errors (no engine needed).</summary>
    public int RunWithoutEngine(TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (_helpFor is not null)
        {
            WriteHelp(output, _helpFor);
            return Success;
        }

        error.WriteLine("error: " + _usageError);
        if (_verb is not null)
        {
            error.WriteLine($"usage: archive-server {_verb.Name} {_verb.Synopsis} [--user NAME]");
        }

        error.WriteLine("See: archive-server help");
        return UsageError;
    }

    /// <summary>Runs the verb against the engine of the data folder; returns the process exit code.</summary>
    public async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!NeedsEngine)
        {
            return RunWithoutEngine(output, error);
        }

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var run = new Run(this, services, output, error, cts.Token);
        try
        {
            string dataPath;
            try
            {
                dataPath = services.GetRequiredService<IOptions<ArchiveOptions>>().Value.DataPath;
                _ = services.GetRequiredService<IOptions<ExchangeOptions>>().Value;
            }
            catch (OptionsValidationException ex)
            {
                await error.WriteLineAsync("Configuration error: " + string.Join(" ", ex.Failures)).ConfigureAwait(false);
                return Failure;
            }

            if (_verb!.Name == "backup restore")
            {
                Directory.CreateDirectory(dataPath); // restore makes a new data folder (BackupRestoreAsync refuses one in use)
            }

            if (!Directory.Exists(dataPath))
            {
                await error.WriteLineAsync($"error: the data folder '{dataPath}' does not exist. Give the server's data folder with --Archive:DataPath=DIR.").ConfigureAwait(false);
                return UsageError;
            }

            using var held = DataFolderLock.TryAcquire(dataPath);
            if (held is null && !BackupRunsOnline(_verb!.Name))
            {
                await error.WriteLineAsync($"error: the data folder '{dataPath}' is in use by a running archive-server (the HTTP server or another verb holds {DataFolderLock.FileName}). Stop it, then run the verb again.").ConfigureAwait(false);
                return Failure;
            }

            await error.WriteLineAsync($"Archive data: {dataPath}; user: {run.User.Name}").ConfigureAwait(false);
            return _verb!.Name switch
            {
                "handover export" => await run.HandoverExportAsync().ConfigureAwait(false),
                "handover verify" => await run.HandoverVerifyAsync(accept: false).ConfigureAwait(false),
                "handover accept" => await run.HandoverVerifyAsync(accept: true).ConfigureAwait(false),
                "transfer export" => await run.TransferExportAsync().ConfigureAwait(false),
                "transfer confirm" => await run.TransferConfirmAsync().ConfigureAwait(false),
                "accession verify" => await run.AccessionAsync(import: false).ConfigureAwait(false),
                "catalogue export" => await run.CatalogueExportAsync().ConfigureAwait(false),
                "disposition list" => await run.DispositionListAsync().ConfigureAwait(false),
                "disposition papers" => await run.DispositionPapersAsync().ConfigureAwait(false),
                "record export" => await run.RecordExportAsync().ConfigureAwait(false),
                "catalogue documents" => await run.CatalogueDocumentsAsync().ConfigureAwait(false),
                "backup create" => await run.BackupCreateAsync().ConfigureAwait(false),
                "backup verify" => await run.BackupVerifyAsync().ConfigureAwait(false),
                "backup restore" => await run.BackupRestoreAsync().ConfigureAwait(false),
                var location when location.StartsWith("location ", StringComparison.Ordinal) => await RunLocationAsync(services, output, run.User, cts.Token).ConfigureAwait(false),
                "statistics report" => await run.StatisticsAsync().ConfigureAwait(false),
                var backlogVerb when backlogVerb.StartsWith("backlog ", StringComparison.Ordinal) => await run.BacklogAsync().ConfigureAwait(false),
                var integrationVerb when IsIntegrationVerb(integrationVerb) => await run.IntegrationAsync().ConfigureAwait(false),
                var accessVerb when IsAccessRequestVerb(accessVerb) => await run.AccessRequestAsync().ConfigureAwait(false),
                var migrateVerb when migrateVerb.StartsWith("migrate ", StringComparison.Ordinal) => await RunMigrationAsync(services, output, error, run.User, cts.Token).ConfigureAwait(false),
                _ => await run.AccessionAsync(import: true).ConfigureAwait(false),
            };
        }
        catch (ArchiveValidationException ex)
        {
            run.Progress?.Complete();
            await error.WriteLineAsync("Refused:").ConfigureAwait(false);
            foreach (var e in ex.Errors)
            {
                await error.WriteLineAsync($"  {Field(e.Field)}: {e.Message} [{e.Rule}]").ConfigureAwait(false);
            }

            return Refused;
        }
        catch (ArchiveConflictException ex)
        {
            run.Progress?.Complete();
            await error.WriteLineAsync($"Refused: {ex.Entity} {ex.Id}: {ex.Message} [{ex.Rule}]").ConfigureAwait(false);
            if (ex.Rule == "handover.incomplete-target")
            {
                await error.WriteLineAsync("Run the same command again with --resume to keep the files already written and write the rest.").ConfigureAwait(false);
            }

            return Refused;
        }
        catch (ArchiveNotFoundException ex)
        {
            run.Progress?.Complete();
            await error.WriteLineAsync($"Refused: {ex.Message} [{ex.Entity}.not-found]").ConfigureAwait(false);
            return Refused;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            run.Progress?.Complete();
            await error.WriteLineAsync(_verb!.Name == "handover export"
                ? "Interrupted. Nothing looks complete; run the same command with --resume to continue."
                : "Interrupted. Nothing was committed by the step that was running; run the command again.").ConfigureAwait(false);
            return Failure;
        }
#pragma warning disable CA1031 // The command line answers every failure with a message and exit code 4.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            run.Progress?.Complete();
            await error.WriteLineAsync($"Failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            if (Chain(ex).Any(e => e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase)))
            {
                await error.WriteLineAsync("Is a server running on this data folder? Stop it, or run the verb on a data folder no server uses.").ConfigureAwait(false);
            }

            return Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The help of every verb, of a group (<c>handover</c>) or of one verb.</summary>
    public static void WriteHelp(TextWriter output, string topic)
    {
        ArgumentNullException.ThrowIfNull(output);
        var verbs = VerbList.Where(v => topic.Length == 0 || v.Name == topic || v.Name.StartsWith(topic + " ", StringComparison.Ordinal)).ToList();
        output.WriteLine("usage: archive-server [--Archive:DataPath=DIR] [other configuration]   (starts the server)");
        output.WriteLine("       archive-server <verb> [options] [--user NAME] [--Archive:DataPath=DIR] [other configuration]");
        output.WriteLine();
        output.WriteLine("Package exchange offline, for packages carried on a storage device. The verbs use the data folder");
        output.WriteLine("directly (the HTTP server is not started: stop it first, it holds the search index) and the seal of");
        output.WriteLine("Archive:Exchange:Seal:* (CertificatePath/CertificatePassword or StoreThumbprint; TrustedCertificates).");
        output.WriteLine();
        foreach (var v in verbs)
        {
            output.WriteLine($"  {v.Name} {v.Synopsis}");
            output.WriteLine($"      {v.Description}");
        }

        output.WriteLine();
        output.WriteLine($"  --user NAME   who acts, recorded in the audit trail and the package versions (default: the OS user, {DefaultUserName()})");
        if (topic.Length == 0)
        {
            output.WriteLine("  apikey create|list|revoke   API keys (archive-server apikey help)");
        }

        output.WriteLine();
        output.WriteLine("Progress goes to stderr, the report to stdout. Exit codes: 0 done (package sound), 1 package rejected");
        output.WriteLine("(verification failed, nothing changed), 2 usage error, 3 refused by a rule, 4 other failure.");
    }

    private static ExchangeCommand Help(string topic) => new(null, [], [], null, null, topic);

    private static ExchangeCommand Usage(Verb? verb, string message) => new(verb, [], [], null, message, null);

    private static string DefaultUserName() => string.IsNullOrWhiteSpace(Environment.UserName) ? "cli" : Environment.UserName;

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private string Field(string field)
    {
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        var name = bracket < 0 ? field : field[..bracket];
        if (_verb?.Name.StartsWith("catalogue ", StringComparison.Ordinal) == true && name is "fileCodes" or "fileCode")
        {
            return $"{(name == "fileCodes" ? "--file-code" : "--file")} ({field})";
        }

        return FieldOptions.TryGetValue(name, out var option) ? $"{option} ({field})" : field;
    }

    /// <summary>The catalogue format an option names (default xlsx); null when it names none.</summary>
    private static CatalogueFormat? CatalogueFormatOf(string? value) => value?.ToLowerInvariant() switch
    {
        null or "xlsx" => CatalogueFormat.Xlsx,
        "docx" => CatalogueFormat.Docx,
        "csv" => CatalogueFormat.Csv,
        _ => null,
    };

    private string? CheckRequired()
    {
        string? Need(params string[] names) => names.FirstOrDefault(n => !_options.ContainsKey(n)) is { } missing ? $"Missing option --{missing}." : null;
        string? OneOf(string a, string b) => _options.ContainsKey(a) == _options.ContainsKey(b) ? $"Give either --{a} or --{b}, not both." : null;
        var argument = _verb!.Argument is { } what && _argument is null ? $"Missing {what}." : null;
        switch (_verb.Name)
        {
            case "handover export":
                return Need("fonds")
                    ?? (!_options.ContainsKey("to-agency") && !_options.ContainsKey("event") ? "Missing option --to-agency (the receiving agency) or --event (a reorganisation event naming the successor)." : null)
                    ?? (!_options.ContainsKey("to") && !_options.ContainsKey("tar") ? "Missing option --to DIR or --tar FILE (where the package is written)." : OneOf("to", "tar"));
            case "handover verify" or "handover accept":
                return argument ?? Need("agency");
            case "transfer export":
                return Need("agency", "archives")
                    ?? (!_options.ContainsKey("to") && !_options.ContainsKey("tar") ? "Missing option --tar FILE or --to DIR (where the package is written)." : OneOf("to", "tar"))
                    ?? (_options.ContainsKey("files") && _options.ContainsKey("fonds") ? "Give either --files or --fonds, not both." : null)
                    ?? (_options.TryGetValue("as-of", out var asOf) && !DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? $"Option --as-of must be a date yyyy-MM-dd, not '{asOf}'." : null);
            case "accession verify" or "accession import":
                return argument ?? Need("archives");
            case "catalogue export":
                return Need("fonds", "out")
                    ?? (_options.TryGetValue("year", out var year) && !int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"Option --year must be a year (e.g. 2024), not '{year}'." : null)
                    ?? (_options.TryGetValue("format", out var format) && CatalogueFormatOf(format) is null ? $"Option --format is xlsx, docx or csv, not '{format}'." : null)
                    ?? (_options.TryGetValue("kind", out var kind) && kind.ToLowerInvariant() is not ("catalogue" or "list") ? $"Option --kind is catalogue or list, not '{kind}'." : null)
                    ?? (_options.TryGetValue("status", out var status) && status.ToLowerInvariant() is not ("finished" or "unfinished") ? $"Option --status is Finished or Unfinished, not '{status}'." : null);
            case "disposition list":
                return _options.TryGetValue("status", out var decisionStatus) && decisionStatus.ToLowerInvariant() is not ("proposed" or "approved" or "executing" or "executed")
                    ? $"Option --status is Proposed, Approved, Executing or Executed, not '{decisionStatus}'." : null;
            case "disposition papers":
                return Need("decision", "paper", "out")
                    ?? (_options.TryGetValue("paper", out var paper) && paper.ToLowerInvariant() is not ("list" or "note" or "record") ? $"Option --paper is list, note or record, not '{paper}'." : null);
            case "record export":
                return Need("file", "out");
            case "backup create" or "backup verify" or "backup restore":
                return CheckBackup(argument, Need);
            case "catalogue documents":
                return Need("file", "out")
                    ?? (_options.TryGetValue("format", out var documentsFormat) && CatalogueFormatOf(documentsFormat) is null ? $"Option --format is xlsx, docx or csv, not '{documentsFormat}'." : null);
            case var location when location.StartsWith("location ", StringComparison.Ordinal):
                return CheckLocation();
            case var name when IsBacklogVerb(name):
                return CheckBacklogAndStatistics();
            case var name when IsIntegrationVerb(name):
                return CheckIntegration();
            case var name when IsAccessRequestVerb(name):
                return CheckAccessRequest();
            case var migrate when migrate.StartsWith("migrate ", StringComparison.Ordinal):
                return CheckMigration();
            default:
                return argument;
        }
    }

    private sealed record Verb(string Name, string Synopsis, string Description, string[] Options, string[] Flags, string? Argument);

    /// <summary>One run of a verb: the engine's services, the user, the writers.</summary>
    private sealed partial class Run(ExchangeCommand command, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        private static readonly JsonSerializerOptions RecordJson = CreateRecordJson();

        public ArchiveUser User { get; } = new(command._options.GetValueOrDefault("user") ?? DefaultUserName());

        public TerminalProgress? Progress { get; private set; }

        private IAuditTrail? Audit => services.GetService<IAuditTrail>();

        private PackageSeals Seals => services.GetRequiredService<PackageSeals>();

        private PackageExchangeService Exchange => services.GetRequiredService<PackageExchangeService>();

        private string? Option(string name) => command._options.GetValueOrDefault(name);

        public async Task<int> HandoverExportAsync()
        {
            var handover = services.GetRequiredService<HandoverService>();
            var fondsCode = Option("fonds")!;
            var receiving = Option("to-agency");
            var eventId = Option("event");
            if (eventId is not null)
            {
                // The successor named by the event, as the handover jobs take it (ReorganisationService.SuccessorOfAsync).
                var fonds = await services.GetRequiredService<FondsRegistry>().GetAsync(fondsCode, cancellationToken).ConfigureAwait(false)
                    ?? throw new ArchiveValidationException("fondsCode", "fonds.not-found", $"Fonds '{fondsCode}' does not exist.");
                var successor = await services.GetRequiredService<ReorganisationService>().SuccessorOfAsync(eventId, fonds.Value, cancellationToken).ConfigureAwait(false);
                receiving ??= successor
                    ?? throw new ArchiveValidationException("receivingAgencyId", "required", $"Event '{eventId}' names no successor for fonds '{fondsCode}': give --to-agency.");
            }

            var certificate = Seals.SigningCertificate;
            if (certificate is null)
            {
                await error.WriteLineAsync("Warning: the package will be UNSEALED. " + Seals.SealNote).ConfigureAwait(false);
            }

            var request = new HandoverRequest
            {
                FondsCode = fondsCode,
                ReceivingAgencyId = receiving!,
                EventId = eventId,
                FileCodes = Codes(Option("files")),
                SealCertificate = certificate,
            };
            var mode = command._flags.Contains("resume") ? IncompleteExportMode.Resume : IncompleteExportMode.Fail;
            Progress = new TerminalProgress(error, "Exporting", !Console.IsErrorRedirected);
            var progress = new SyncProgress<HandoverProgress>(p => Progress.Report(p.FilesDone, p.FilesTotal, p.BytesDone, p.BytesTotal));
            var tar = Option("tar");
            var export = tar is not null
                ? await handover.ExportToTarAsync(request, tar, User, mode, progress, cancellationToken).ConfigureAwait(false)
                : await handover.ExportToFolderAsync(request, Option("to")!, User, mode, progress, cancellationToken).ConfigureAwait(false);
            Progress.Complete();

            var c = export.Catalogue;
            await output.WriteLineAsync($"Handover package of fonds {c.FondsCode} for agency {receiving}: {export.Path}").ConfigureAwait(false);
            await output.WriteLineAsync($"Record files: {c.Total} ({c.Files.Count} finished, {c.Unfinished.Count} unfinished; {c.Permanent} permanent, {c.FixedTerm} fixed-term)").ConfigureAwait(false);
            await output.WriteLineAsync($"Payload: {export.PayloadFiles} files, {TerminalProgress.Size(export.PayloadBytes)} ({export.PayloadBytes} bytes)" + (export.ReusedFiles > 0 ? $"; {export.ReusedFiles} kept from the interrupted export" : string.Empty)).ConfigureAwait(false);
            if (tar is not null)
            {
                await output.WriteLineAsync("SHA-256 of the tar: " + await Sha256Async(export.Path).ConfigureAwait(false)).ConfigureAwait(false);
            }

            await output.WriteLineAsync("Seal: " + (export.Sealed ? Seals.SealNote : "none (unsealed).")).ConfigureAwait(false);
            await output.WriteLineAsync($"Next, at the receiving agency: archive-server handover verify \"{export.Path}\" --agency {receiving}, then handover accept.").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> HandoverVerifyAsync(bool accept)
        {
            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(command._argument!));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                await error.WriteLineAsync($"error: the package '{path}' does not exist.").ConfigureAwait(false);
                return UsageError;
            }

            var handover = services.GetRequiredService<HandoverService>();
            var receipt = Exchange.CreateHandoverReceipt(Option("agency")!);
            await error.WriteLineAsync((accept ? "Verifying and accepting " : "Verifying ") + path + " ...").ConfigureAwait(false);
            BagVerification report;
            HandoverReceiptResult? result = null;
            if (accept)
            {
                // HandoverService audits the import, accepted or rejected.
                result = await handover.ReceiveAsync(path, receipt, User, cancellationToken).ConfigureAwait(false);
                report = result.Verification;
            }
            else
            {
                report = await handover.VerifyAsync(path, receipt, cancellationToken).ConfigureAwait(false);
                await AppendAsync(AuditActions.Import, "handover-package", Path.GetFileName(path), report.IsValid, report.IsValid
                    ? $"Verified offline for agency {receipt.ReceivingAgencyId} (nothing changed): {report.PayloadFiles} files, {report.PayloadBytes} bytes"
                    : $"Verification offline failed for agency {receipt.ReceivingAgencyId}: " + Summary(report.Problems)).ConfigureAwait(false);
            }

            await output.WriteLineAsync("Package: " + path).ConfigureAwait(false);
            if (report.InfoValue("Archive-Fonds-Code") is { } fonds)
            {
                await output.WriteLineAsync($"Fonds: {fonds}; handing agency: {report.InfoValue("Archive-Handing-Agency-Id")}; addressed to: {report.InfoValue("Archive-Receiving-Agency-Id")}; identifier: {report.InfoValue("External-Identifier")}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Checked: {report.PayloadFiles} payload files, {TerminalProgress.Size(report.PayloadBytes)} ({report.PayloadBytes} bytes)").ConfigureAwait(false);
            await output.WriteLineAsync("Seal: " + Seals.VerificationNote(report.Signer, report.Problems)).ConfigureAwait(false);
            if (!report.IsValid || (accept && !result!.Accepted))
            {
                await WriteProblemsAsync(report.Problems).ConfigureAwait(false);
                return Rejected;
            }

            if (accept)
            {
                var f = result!.Fonds!.Value;
                await output.WriteLineAsync($"ACCEPTED: fonds {f.Code} is now in the custody of agency {f.CustodianAgencyId ?? f.AgencyId} (fonds version {result.Fonds.Version}).").ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"SOUND: the package is complete and intact. Accept it with: archive-server handover accept \"{path}\" --agency {receipt.ReceivingAgencyId}").ConfigureAwait(false);
            }

            return Success;
        }

        public async Task<int> CatalogueExportAsync()
        {
            var request = new CatalogueRequest
            {
                FondsCode = Option("fonds")!,
                Kind = string.Equals(Option("kind"), "list", StringComparison.OrdinalIgnoreCase) ? CatalogueKind.FileList : CatalogueKind.FileCatalogue,
                Status = string.Equals(Option("status"), "unfinished", StringComparison.OrdinalIgnoreCase) ? RecordFileStatus.Unfinished : RecordFileStatus.Finished,
                Year = Option("year") is { } year ? int.Parse(year, CultureInfo.InvariantCulture) : null,
                FileCodes = Option("file-code")?.Split('\n'),
                Format = CatalogueFormatOf(Option("format"))!.Value,
            };

            // Offline, the operator: every record file of the fonds may be listed.
            var (target, result) = await WriteCatalogueAsync(file => services.GetRequiredService<CatalogueService>().WriteAsync(request, caller: null, file, cancellationToken)).ConfigureAwait(false);
            var what = request.Kind == CatalogueKind.FileList ? "list" : request.Status.ToString();
            await AppendAsync(AuditActions.Export, "catalogue", request.FondsCode, true, $"{what} {request.Format}{(request.Year is { } y ? " " + y.ToString(CultureInfo.InvariantCulture) : string.Empty)}{(request.FileCodes is null ? string.Empty : " selection")}: {result.Totals.Total} files, offline").ConfigureAwait(false);

            await output.WriteLineAsync($"{target}: {result.Totals.TotalLine}; {result.Totals.SplitLine}; {result.Totals.Pages.ToString(CultureInfo.InvariantCulture)} trang").ConfigureAwait(false);
            return 0;
        }

        public async Task<int> CatalogueDocumentsAsync()
        {
            var request = new DocumentCatalogueRequest { FileCode = Option("file")!, Format = CatalogueFormatOf(Option("format"))!.Value };
            var (target, result) = await WriteCatalogueAsync(file => services.GetRequiredService<CatalogueService>().WriteDocumentsAsync(request, caller: null, file, cancellationToken)).ConfigureAwait(false);
            await AppendAsync(AuditActions.Export, "document-catalogue", request.FileCode, true, $"{request.Format}: {result.Totals.Total} documents, offline").ConfigureAwait(false);
            await output.WriteLineAsync($"{target}: {result.Totals.Total.ToString(CultureInfo.InvariantCulture)} văn bản; {result.Totals.Pages.ToString(CultureInfo.InvariantCulture)} trang").ConfigureAwait(false);
            return 0;
        }

        /// <summary>
        /// Writes a catalogue into --out: a file (its folder created when missing), or — when --out ends with a
        /// separator or is an existing folder — a file named after the list in that folder (created when missing).
        /// The file appears whole or not at all (written to a .partial file first, flushed, then renamed).
        /// </summary>
        private async Task<(string Target, CatalogueResult Result)> WriteCatalogueAsync(Func<Stream, ValueTask<CatalogueResult>> write)
        {
            var outOption = Option("out")!;
            var intoFolder = outOption.EndsWith(Path.DirectorySeparatorChar) || outOption.EndsWith(Path.AltDirectorySeparatorChar) || Directory.Exists(outOption);
            var folder = intoFolder ? Path.GetFullPath(outOption) : Path.GetDirectoryName(Path.GetFullPath(outOption))!;
            Directory.CreateDirectory(folder);
            var partial = Path.Combine(folder, (intoFolder ? "catalogue-" + Guid.NewGuid().ToString("N") : Path.GetFileName(outOption)) + ".partial");
            CatalogueResult result;
            string target;
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 65536))
                {
                    result = await write(file).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }

                target = intoFolder ? Path.Combine(folder, result.FileName) : Path.GetFullPath(outOption);
                File.Move(partial, target, overwrite: true);
            }
            catch
            {
                File.Delete(partial);
                throw;
            }

            return (target, result);
        }

        public async Task<int> DispositionListAsync()
        {
            var query = new DispositionQuery
            {
                Status = Option("status") is { } status ? Enum.Parse<DispositionStatus>(status, ignoreCase: true) : null,
                AgencyId = Option("agency"),
            };
            var count = 0;
            // Offline, the operator: every decision.
            await foreach (var v in services.GetRequiredService<DispositionService>().ListAsync(query, caller: null, cancellationToken).ConfigureAwait(false))
            {
                var d = v.Value;
                count++;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{d.Id}\t{d.DecisionNumber}\t{d.DecisionDate:yyyy-MM-dd}\t{d.AgencyId}\t{d.Status}\t{d.FileCodes.Count} files\t{d.Results.Count(r => r.Outcome == DispositionFileOutcome.Destroyed)} destroyed")).ConfigureAwait(false);
            }

            await error.WriteLineAsync(count.ToString(CultureInfo.InvariantCulture) + " decisions").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> DispositionPapersAsync()
        {
            var id = Option("decision")!;
            var paper = Enum.Parse<DispositionPaper>(Option("paper")!, ignoreCase: true);
            var target = Path.GetFullPath(Option("out")!);
            var partial = target + ".partial";
            DispositionPaperResult result;
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 65536))
                {
                    // Offline, the operator: no caller, every listed file is printed.
                    result = await services.GetRequiredService<DispositionPaperService>().WriteAsync(id, paper, caller: null, file, cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }

                File.Move(partial, target, overwrite: true);
            }
            catch
            {
                File.Delete(partial);
                throw;
            }

            await AppendAsync(AuditActions.Export, "disposition-decision", id, true, $"paper {paper}: {result.Files} files, offline").ConfigureAwait(false);
            await output.WriteLineAsync($"{target}: {paper} of decision {id}, {result.Files.ToString(CultureInfo.InvariantCulture)} hồ sơ").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> RecordExportAsync()
        {
            var code = Option("file")!;
            var folder = Path.GetFullPath(Option("out")!);
            Directory.CreateDirectory(folder);
            var written = new List<string>();
            RecordExportResult result;
            var partials = new List<string>();
            try
            {
                // Everything is written as .partial and renamed only when the PDF, the XML and both sidecars are complete:
                // a refused or failed export (a damaged content) leaves nothing in the folder.
                var stem = Path.Combine(folder, "ho-so-" + Guid.NewGuid().ToString("N"));
                var (pdfPartial, xmlPartial) = (stem + ".pdf.partial", stem + ".xml.partial");
                partials.AddRange([pdfPartial, xmlPartial]);
                await using (var pdf = new FileStream(pdfPartial, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536))
                await using (var xml = new FileStream(xmlPartial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536))
                {
                    // Offline, the operator: any record file, Secret ones too.
                    result = await services.GetRequiredService<RecordExportService>().WriteAsync(code, caller: null, pdf, xml, cancellationToken).ConfigureAwait(false);
                    pdf.Flush(flushToDisk: true);
                    xml.Flush(flushToDisk: true);
                }

                var moves = new List<(string From, string To)>();
                foreach (var (partial, name) in new[] { (pdfPartial, result.PdfFileName), (xmlPartial, result.XmlFileName) })
                {
                    var sidecar = partial + ".sha256";
                    partials.Add(sidecar);
                    await File.WriteAllTextAsync(sidecar, await Sha256Async(partial).ConfigureAwait(false) + "  " + name + "\n", cancellationToken).ConfigureAwait(false);
                    moves.Add((partial, Path.Combine(folder, name)));
                    moves.Add((sidecar, Path.Combine(folder, name + ".sha256")));
                }

                foreach (var (from, to) in moves)
                {
                    File.Move(from, to, overwrite: true);
                    written.Add(to);
                }
            }
            catch
            {
                foreach (var partial in partials)
                {
                    File.Delete(partial);
                }

                throw;
            }

            await AppendAsync(AuditActions.Export, "record-file", code, true, $"pdf+xml v{result.Version}: {result.Documents} documents, {result.Contents} contents ({result.Placeholders} as placeholder pages), {result.Pages} pages, offline").ConfigureAwait(false);
            foreach (var path in written)
            {
                await output.WriteLineAsync(path).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Hồ sơ {result.FileCode} (phiên bản {result.Version}): {result.Documents} văn bản, {result.Contents} tệp nội dung ({result.Placeholders} tệp chỉ có trang giới thiệu), {result.Pages} trang PDF").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> TransferExportAsync()
        {
            var transfer = services.GetRequiredService<TransferService>();
            var certificate = Seals.SigningCertificate;
            if (certificate is null)
            {
                await error.WriteLineAsync("Warning: the package will be UNSEALED. " + Seals.SealNote).ConfigureAwait(false);
            }

            var submitting = Option("agency")!;
            var request = new TransferRequest
            {
                SubmittingAgencyId = submitting,
                ArchivesAgencyId = Option("archives")!,
                ArchivesName = Option("archives-name"),
                FileCodes = Codes(Option("files")),
                FondsCode = Option("fonds"),
                AsOf = Option("as-of") is { } asOf
                    ? DateOnly.ParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().ToOffset(SipLayout.VietnamOffset).DateTime),
                LegalBasis = Option("legal-basis"),
                SealCertificate = certificate,
            };
            Progress = new TerminalProgress(error, "Exporting", !Console.IsErrorRedirected);
            var progress = new SyncProgress<TransferProgress>(p => Progress.Report(p.FilesDone, p.FilesTotal, p.BytesDone, p.BytesTotal));
            var tar = Option("tar");
            SubmissionPackage package;
            try
            {
                package = tar is not null
                    ? await transfer.ExportToTarAsync(request, tar, User, progress, cancellationToken).ConfigureAwait(false)
                    : await transfer.ExportToFolderAsync(request, Option("to")!, User, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await AppendAsync(AuditActions.Export, "transfer", submitting, false, "Transfer export failed: " + ex.Message, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            Progress.Complete();
            await AppendAsync(AuditActions.Export, "transfer", package.TransferId, true,
                $"Transfer package {Path.GetFileName(package.Path)} to {request.ArchivesAgencyId}: {package.Catalogue.Total} record files, {package.Files} files, {package.Bytes} bytes" + (package.Sealed ? ", sealed" : ", unsealed")).ConfigureAwait(false);

            await output.WriteLineAsync($"Submission package {package.TransferId} of agency {submitting} for {request.ArchivesAgencyId}: {package.Path}").ConfigureAwait(false);
            await output.WriteLineAsync($"Record files ({package.Catalogue.Total}): {string.Join(", ", package.Catalogue.Files.Select(r => r.FileCode))}").ConfigureAwait(false);
            await output.WriteLineAsync($"Package: {package.Files} files, {TerminalProgress.Size(package.Bytes)} ({package.Bytes} bytes)").ConfigureAwait(false);
            if (tar is not null)
            {
                await output.WriteLineAsync("SHA-256 of the tar: " + await Sha256Async(package.Path).ConfigureAwait(false)).ConfigureAwait(false);
            }

            await output.WriteLineAsync("Seal: " + (package.Sealed ? Seals.SealNote : "none (unsealed).")).ConfigureAwait(false);
            await output.WriteLineAsync("Next, at the Historical Archives: archive-server accession import PACKAGE --archives " + request.ArchivesAgencyId + "; then here: archive-server transfer confirm RECORD.json").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> AccessionAsync(bool import)
        {
            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(command._argument!));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                await error.WriteLineAsync($"error: the package '{path}' does not exist.").ConfigureAwait(false);
                return UsageError;
            }

            var accession = services.GetRequiredService<AccessionService>();
            var receipt = Exchange.CreateAccessionReceipt(Option("archives")!, Option("reference"), Option("representative"));
            await error.WriteLineAsync((import ? "Verifying and accessioning " : "Verifying ") + path + " ...").ConfigureAwait(false);
            AccessionResult result;
            try
            {
                result = import
                    ? await accession.AccessionAsync(path, receipt, User, cancellationToken).ConfigureAwait(false)
                    : new AccessionResult(false, await accession.VerifyAsync(path, receipt, cancellationToken).ConfigureAwait(false), null, [], []);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await AppendAsync(AuditActions.Import, "accession", Path.GetFileName(path), false, "Accession failed: " + ex.Message, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            var report = result.Verification;
            await output.WriteLineAsync("Package: " + path + (report.TransferId is { } id ? $" (transfer {id})" : string.Empty)).ConfigureAwait(false);
            await output.WriteLineAsync($"Checked: {report.Files} files, {TerminalProgress.Size(report.Bytes)} ({report.Bytes} bytes)").ConfigureAwait(false);
            await output.WriteLineAsync("Seal: " + Seals.VerificationNote(report.Signer, report.Problems)).ConfigureAwait(false);
            var objectId = report.TransferId ?? Path.GetFileName(path);
            if (!report.IsValid || (import && !result.Accepted))
            {
                await AppendAsync(AuditActions.Import, "accession", objectId, false, (import ? "Accession rejected: " : "Verification offline failed: ") + Summary(report.Problems)).ConfigureAwait(false);
                await WriteProblemsAsync(report.Problems).ConfigureAwait(false);
                return Rejected;
            }

            if (!import)
            {
                await AppendAsync(AuditActions.Import, "accession", objectId, true, $"Verified offline for {receipt.ArchivesAgencyId} (nothing changed): {report.Files} files, {report.Bytes} bytes").ConfigureAwait(false);
                await output.WriteLineAsync($"SOUND: the package is complete and intact. Accession it with: archive-server accession import \"{path}\" --archives {receipt.ArchivesAgencyId}").ConfigureAwait(false);
                return Success;
            }

            var record = result.Record!;
            await AppendAsync(AuditActions.Import, "accession", objectId, true, $"Accessioned {result.Accessioned.Count} record files ({result.AlreadyAccessioned.Count} already), transfer record {record.Reference}").ConfigureAwait(false);

            // The completed transfer record for the submitting agency: the JSON the package exchange serves (documents/bien-ban-thu-nop.json).
            var documents = TransferService.DocumentFiles(result.Catalogue!, record).ToList();
            var recordOut = Path.GetFullPath(Option("records-out") ?? $"bien-ban-thu-nop-{SafeName(record.TransferId)}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(recordOut)!);
            await WriteFileAsync(recordOut, documents.Single(d => d.Path == SipLayout.RecordJson).Bytes, cancellationToken).ConfigureAwait(false);
            if (Option("documents") is { } folder)
            {
                var target = Path.GetFullPath(folder);
                Directory.CreateDirectory(target);
                foreach (var (docPath, bytes, _) in documents)
                {
                    await WriteFileAsync(Path.Combine(target, Path.GetFileName(docPath)), bytes, cancellationToken).ConfigureAwait(false);
                }

                await services.GetRequiredService<TransferService>().WriteOfficeDocumentsAsync(result.Catalogue!, record, target, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync("Documents (catalogue, transfer record): " + target).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"ACCESSIONED: {result.Accessioned.Count} record files" + (result.AlreadyAccessioned.Count > 0 ? $" ({result.AlreadyAccessioned.Count} were already: {string.Join(", ", result.AlreadyAccessioned)})" : string.Empty)).ConfigureAwait(false);
            foreach (var code in result.Accessioned)
            {
                await output.WriteLineAsync("  " + code).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Transfer record {record.Reference} (accessioned {record.AccessionedAt:yyyy-MM-dd HH:mm zzz}) written to: {recordOut}").ConfigureAwait(false);
            await output.WriteLineAsync($"Give it to the submitting agency {record.Submitting.AgencyId}: archive-server transfer confirm \"{recordOut}\"").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> TransferConfirmAsync()
        {
            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(command._argument!));
            if (!File.Exists(path))
            {
                await error.WriteLineAsync($"error: the transfer record '{path}' does not exist.").ConfigureAwait(false);
                return UsageError;
            }

            TransferRecordData record;
            try
            {
                var stream = File.OpenRead(path);
                await using (stream.ConfigureAwait(false))
                {
                    record = await JsonSerializer.DeserializeAsync<TransferRecordData>(stream, RecordJson, cancellationToken).ConfigureAwait(false)
                        ?? throw new JsonException("The file holds null.");
                }
            }
            catch (JsonException ex)
            {
                throw new ArchiveValidationException("record", "transfer.record-unreadable", $"'{path}' is not a transfer record (bien-ban-thu-nop.json): {ex.Message}");
            }

            // Only files this archive holds for the submitting agency named by the record are marked.
            var files = services.GetRequiredService<RecordFileService>();
            var fondsRegistry = services.GetRequiredService<FondsRegistry>();
            var errors = new List<ValidationError>();
            for (var i = 0; i < record.FileCodes.Count; i++)
            {
                var file = await files.GetAsync(record.FileCodes[i], cancellationToken).ConfigureAwait(false);
                if (file is null)
                {
                    errors.Add(new($"fileCodes[{i}]", "record-file.not-found", $"Record file '{record.FileCodes[i]}' is not in this archive."));
                    continue;
                }

                var fonds = (await fondsRegistry.GetAsync(file.Value.FondsCode, cancellationToken).ConfigureAwait(false))?.Value;
                var holder = fonds?.CustodianAgencyId ?? fonds?.AgencyId;
                if (!string.Equals(holder, record.Submitting.AgencyId, StringComparison.Ordinal))
                {
                    errors.Add(new($"fileCodes[{i}]", "transfer.not-held", $"Record file '{record.FileCodes[i]}' is held by '{holder}' here, not by the submitting agency '{record.Submitting.AgencyId}' of the record."));
                }
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            var marked = await services.GetRequiredService<TransferService>().ConfirmAccessionAsync(record, User, cancellationToken).ConfigureAwait(false);
            await AppendAsync(AuditActions.Change, "transfer", record.TransferId, true, $"Transfer record {record.Reference} recorded offline: {marked.Count} record files marked transferred").ConfigureAwait(false);
            await output.WriteLineAsync($"Transfer {record.TransferId}, record {record.Reference} of {record.Receiving.Name} ({record.Receiving.AgencyId}), accessioned {record.AccessionedAt:yyyy-MM-dd}.").ConfigureAwait(false);
            await output.WriteLineAsync($"CONFIRMED: {marked.Count} record files marked accessioned" + (marked.Count < record.FileCodes.Count ? $" ({record.FileCodes.Count - marked.Count} already were)" : string.Empty)).ConfigureAwait(false);
            foreach (var code in marked)
            {
                await output.WriteLineAsync("  " + code).ConfigureAwait(false);
            }

            return Success;
        }

        private static JsonSerializerOptions CreateRecordJson()
        {
            var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            return o;
        }

        private static IReadOnlyList<string>? Codes(string? list)
            => list is null ? null : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        private static string SafeName(string value) => new([.. value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]);

        private static string Summary(IReadOnlyList<BagProblem> problems)
            => $"{problems.Count} problems: " + string.Join("; ", problems.Take(5).Select(p => $"{p.Kind} {p.Path}"));

        /// <summary>Writes a file whole or not at all (a temporary name, then renamed over the target).</summary>
        private static async Task WriteFileAsync(string path, byte[] bytes, CancellationToken token)
        {
            var temporary = path + ".partial";
            await File.WriteAllBytesAsync(temporary, bytes, token).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }

        private static async Task<string> Sha256Async(string path)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream).ConfigureAwait(false));
            }
        }

        private async Task WriteProblemsAsync(IReadOnlyList<BagProblem> problems)
        {
            await output.WriteLineAsync($"REJECTED: {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}; nothing was changed.").ConfigureAwait(false);
            foreach (var p in problems)
            {
                await output.WriteLineAsync($"  {p.Kind}  {p.Path ?? "-"}  {p.Detail}").ConfigureAwait(false);
            }
        }

        private ValueTask AppendAsync(string action, string objectType, string objectId, bool success, string detail)
            => AppendAsync(action, objectType, objectId, success, detail, cancellationToken);

        private async ValueTask AppendAsync(string action, string objectType, string objectId, bool success, string detail, CancellationToken token)
        {
            if (Audit is not { } audit)
            {
                return;
            }

            await audit.AppendAsync(new AuditEvent
            {
                Action = action,
                Actor = User.Name,
                ObjectType = objectType,
                ObjectId = objectId,
                Outcome = success ? AuditOutcome.Success : AuditOutcome.Failure,
                Detail = detail,
            }, token).ConfigureAwait(false);
        }
    }

    /// <summary>Reports progress synchronously on the engine's thread (no hop, lines in order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
