using System.Globalization;
using Archive;
using Archive.Audit;
using Archive.Locations;
using Archive.Records;

/// <summary>
/// The <c>location</c> verbs (issue #18 item 1), offline on the data folder: storage rooms, moving a record file into a
/// box, its digital carrier, the boxes of a room and the files of a box, box labels and the location report — the same
/// engine services as <c>/storage-rooms</c> and <c>/record-files/{code}/location</c>, as the operator (every record file).
/// </summary>
internal sealed partial class ExchangeCommand
{
    /// <summary>The verbs of the group (a property: <c>VerbList</c>, in the other part of the class, is initialised from it).</summary>
    private static Verb[] LocationVerbs =>
    [
        new("location rooms", "[--agency ID]",
            "Lists the storage rooms (kho lưu trữ): code, agency, name, address.",
            ["agency"], [], null),
        new("location add-room", "--code CODE --name NAME --agency ID [--address TEXT] [--description TEXT]",
            "Registers a storage room of an agency (codes are unique in the archive: letters, digits, '.', '-', '_').",
            ["code", "name", "agency", "address", "description"], [], null),
        new("location move", "--file CODE --room ROOM --box BOX [--shelf SHELF] [--compartment COMPARTMENT] [--position N] | --file CODE --off",
            "Places or moves a record file into a box of a storage room of the agency holding its fonds (a new version, audited from -> to); --off takes it off the shelves.",
            ["file", "room", "box", "shelf", "compartment", "position"], ["off"], null),
        new("location carrier", "--file CODE --medium MEDIUM [--device LABEL] [--seal NUMBER] | --file CODE --none",
            "Records the storage device carrying the record file's digitised copy and its seal number (a new version, audited); --none records that there is none.",
            ["file", "medium", "device", "seal"], ["none"], null),
        new("location box", "--room ROOM [--box BOX]",
            "Lists the boxes of a storage room (files, first and last file, years), or with --box the record files in that box in box order.",
            ["room", "box"], [], null),
        new("location labels", "--room ROOM [--box B1,B2] --out FILE.docx|DIR/",
            "Prints the box labels (nhãn hộp: cơ quan, phông, hộp số, từ hồ sơ số … đến hồ sơ số, năm, thời hạn) of a room, or of the boxes named, as DOCX.",
            ["room", "box", "out"], [], null),
        new("location report", "--room ROOM [--box BOX] [--format xlsx|docx] --out FILE|DIR/",
            "Prints the location report (báo cáo vị trí hồ sơ: kho, giá, khoang, hộp, số thứ tự, hồ sơ) of a room or one box.",
            ["room", "box", "format", "out"], [], null),
    ];

    private string? CheckLocation()
    {
        string? Need(params string[] names) => names.FirstOrDefault(n => !_options.ContainsKey(n)) is { } missing ? $"Missing option --{missing}." : null;
        switch (_verb!.Name)
        {
            case "location add-room":
                return Need("code", "name", "agency");
            case "location move":
                return Need("file")
                    ?? (_flags.Contains("off")
                        ? (new[] { "room", "box", "shelf", "compartment", "position" }.FirstOrDefault(_options.ContainsKey) is { } with ? $"Option --off takes the file off the shelves: give no --{with}." : null)
                        : Need("room", "box"))
                    ?? (_options.TryGetValue("position", out var position) && !int.TryParse(position, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? $"Option --position must be a whole number, not '{position}'." : null);
            case "location carrier":
                return Need("file")
                    ?? (_flags.Contains("none")
                        ? (new[] { "medium", "device", "seal" }.FirstOrDefault(_options.ContainsKey) is { } given ? $"Option --none records no carrier: give no --{given}." : null)
                        : Need("medium"));
            case "location box":
                return Need("room");
            case "location labels":
                return Need("room", "out");
            case "location report":
                return Need("room", "out")
                    ?? (_options.TryGetValue("format", out var format) && format.ToLowerInvariant() is not ("xlsx" or "docx") ? $"Option --format is xlsx or docx, not '{format}'." : null);
            default:
                return null;
        }
    }

    /// <summary>Runs a <c>location</c> verb; the caller answers refusals (exit 3) and failures (exit 4).</summary>
    private async Task<int> RunLocationAsync(IServiceProvider services, TextWriter output, ArchiveUser user, CancellationToken cancellationToken)
    {
        var locations = services.GetRequiredService<LocationService>();
        var rooms = services.GetRequiredService<StorageRoomRegistry>();
        string? Option(string name) => _options.GetValueOrDefault(name);
        switch (_verb!.Name)
        {
            case "location rooms":
                var list = await rooms.ListAsync(Option("agency"), cancellationToken).ConfigureAwait(false);
                foreach (var r in list)
                {
                    await output.WriteLineAsync($"{r.Value.Code}\t{r.Value.AgencyId}\t{r.Value.Name}\t{r.Value.Address}").ConfigureAwait(false);
                }

                await output.WriteLineAsync($"{list.Count} kho").ConfigureAwait(false);
                return Success;

            case "location add-room":
                var created = await rooms.CreateAsync(new StorageRoomInput { Code = Option("code")!, Name = Option("name")!, AgencyId = Option("agency")!, Address = Option("address"), Description = Option("description") }, caller: null, user, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Registered storage room {created.Stored.Value.Code} ({created.Stored.Value.Name}) of agency {created.Stored.Value.AgencyId}.").ConfigureAwait(false);
                return Success;

            case "location move":
                var location = _flags.Contains("off") ? null : new PhysicalLocation
                {
                    RoomCode = Option("room")!,
                    BoxNumber = Option("box")!,
                    Shelf = Option("shelf"),
                    Compartment = Option("compartment"),
                    PositionInBox = Option("position") is { } p ? int.Parse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null,
                };
                var moved = await locations.MoveAsync(Option("file")!, location, null, caller: null, user, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"{moved.Stored.Value.FileCode} v{moved.Stored.Version}: {Describe(moved.Stored.Value.Location)}").ConfigureAwait(false);
                return Success;

            case "location carrier":
                var carrier = _flags.Contains("none") ? null : new DigitalCarrier { Medium = Option("medium")!, DeviceLabel = Option("device"), SealNumber = Option("seal") };
                var set = await locations.SetCarrierAsync(Option("file")!, carrier, null, caller: null, user, cancellationToken).ConfigureAwait(false);
                var c = set.Stored.Value.Carrier;
                await output.WriteLineAsync($"{set.Stored.Value.FileCode} v{set.Stored.Version}: " + (c is null ? "không có vật mang tin" : $"{c.Medium}; thiết bị {c.DeviceLabel ?? "-"}; số niêm phong {c.SealNumber ?? "-"}")).ConfigureAwait(false);
                return Success;

            case "location box" when Option("box") is { } box:
                var files = await locations.ListBoxAsync(Option("room")!, box, caller: null, cancellationToken).ConfigureAwait(false);
                foreach (var f in files)
                {
                    await output.WriteLineAsync($"{f.Value.Location!.PositionInBox?.ToString(CultureInfo.InvariantCulture) ?? "-"}\t{f.Value.FileCode}\t{f.Value.FileNotation}\t{f.Value.Title}").ConfigureAwait(false);
                }

                await output.WriteLineAsync($"Hộp {box}: {files.Count} hồ sơ").ConfigureAwait(false);
                return Success;

            case "location box":
                var boxes = await locations.ListBoxesAsync(Option("room")!, caller: null, cancellationToken).ConfigureAwait(false);
                foreach (var b in boxes)
                {
                    await output.WriteLineAsync($"Hộp {b.BoxNumber}\tgiá {b.Shelf ?? "-"}\tkhoang {b.Compartment ?? "-"}\t{b.Files} hồ sơ\ttừ {b.FirstFile} đến {b.LastFile}\t{b.FromYear}-{b.ToYear}").ConfigureAwait(false);
                }

                await output.WriteLineAsync($"{boxes.Count} hộp, {boxes.Sum(b => b.Files)} hồ sơ").ConfigureAwait(false);
                return Success;

            case "location labels":
                var labelsRequest = new BoxLabelsRequest { RoomCode = Option("room")!, BoxNumbers = Option("box")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                var (labelsTarget, labels) = await WriteLocationFileAsync(Option("out")!, file => locations.WriteLabelsAsync(labelsRequest, caller: null, file, cancellationToken)).ConfigureAwait(false);
                await AppendLocationAuditAsync(services, user, labelsRequest.RoomCode, $"box labels: {labels.Boxes} boxes, {labels.Files} files, offline", cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"{labelsTarget}: {labels.Boxes} nhãn hộp, {labels.Files} hồ sơ").ConfigureAwait(false);
                return Success;

            default: // location report
                var reportRequest = new LocationReportRequest
                {
                    RoomCode = Option("room")!,
                    BoxNumber = Option("box"),
                    Format = string.Equals(Option("format"), "docx", StringComparison.OrdinalIgnoreCase) ? LocationReportFormat.Docx : LocationReportFormat.Xlsx,
                };
                var (reportTarget, report) = await WriteLocationFileAsync(Option("out")!, file => locations.WriteReportAsync(reportRequest, caller: null, file, cancellationToken)).ConfigureAwait(false);
                await AppendLocationAuditAsync(services, user, reportRequest.RoomCode, $"location report {reportRequest.Format}{(reportRequest.BoxNumber is { } rb ? " box " + rb : string.Empty)}: {report.Files} files in {report.Boxes} boxes, offline", cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"{reportTarget}: {report.Files} hồ sơ trong {report.Boxes} hộp").ConfigureAwait(false);
                return Success;
        }
    }

    private static string Describe(PhysicalLocation? l) => l is null
        ? "không có vị trí (đã đưa ra khỏi kho)"
        : $"kho {l.RoomCode}, giá {l.Shelf ?? "-"}, khoang {l.Compartment ?? "-"}, hộp {l.BoxNumber}, số thứ tự {l.PositionInBox?.ToString(CultureInfo.InvariantCulture) ?? "-"}";

    /// <summary>Writes into --out (a file, or a folder when it ends with a separator or exists), whole or not at all.</summary>
    private static async Task<(string Target, LocationFileResult Result)> WriteLocationFileAsync(string outOption, Func<Stream, ValueTask<LocationFileResult>> write)
    {
        var intoFolder = outOption.EndsWith(Path.DirectorySeparatorChar) || outOption.EndsWith(Path.AltDirectorySeparatorChar) || Directory.Exists(outOption);
        var folder = intoFolder ? Path.GetFullPath(outOption) : Path.GetDirectoryName(Path.GetFullPath(outOption))!;
        Directory.CreateDirectory(folder);
        var partial = Path.Combine(folder, (intoFolder ? "location-" + Guid.NewGuid().ToString("N") : Path.GetFileName(outOption)) + ".partial");
        try
        {
            LocationFileResult result;
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 65536))
            {
                result = await write(file).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            var target = intoFolder ? Path.Combine(folder, result.FileName) : Path.GetFullPath(outOption);
            File.Move(partial, target, overwrite: true);
            return (target, result);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private static async Task AppendLocationAuditAsync(IServiceProvider services, ArchiveUser user, string roomCode, string detail, CancellationToken cancellationToken)
    {
        if (services.GetService<IAuditTrail>() is { } audit)
        {
            await audit.AppendAsync(new AuditEvent { Action = AuditActions.Export, Actor = user.Name, ObjectType = "storage-room", ObjectId = roomCode, Detail = detail }, cancellationToken).ConfigureAwait(false);
        }
    }
}
