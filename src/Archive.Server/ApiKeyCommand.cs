using Archive.Api.Security;
using Archive.Security;

/// <summary>
/// <c>archive-server apikey create --name NAME --roles r1,r2 [--agencies a1,a2] [--clearance secret] [--expires WHEN]
/// [--allow-unregistered-agencies]</c>, <c>archive-server apikey list</c>, <c>archive-server apikey rotate ID
/// [--overlap 1h] [--expires WHEN]</c>, <c>archive-server apikey revoke ID</c>: manage API keys in the data folder's
/// store without the HTTP API (how an operator gets the first administrator key). WHEN is a date
/// (<c>2026-12-31</c>, <c>2026-12-31T17:00:00+07:00</c>) or a duration from now (<c>90d</c>, <c>12h</c>, <c>30m</c>).
/// The same rules as the REST endpoints (ApiKeyStore): unique, well-formed names; registered agencies. Other
/// arguments (e.g. <c>--Archive:DataPath=DIR</c>) are configuration, as for the server.
/// </summary>
internal sealed class ApiKeyCommand
{
    private readonly string _verb;
    private readonly Dictionary<string, string> _options;
    private readonly string? _id;

    private ApiKeyCommand(string verb, Dictionary<string, string> options, string? id)
    {
        _verb = verb;
        _options = options;
        _id = id;
    }

    /// <summary>The command when <paramref name="args"/> start with <c>apikey</c>; null otherwise. <paramref name="hostArgs"/> = the configuration arguments.</summary>
    public static ApiKeyCommand? Parse(string[] args, out string[] hostArgs)
    {
        hostArgs = args;
        if (args.Length == 0 || !string.Equals(args[0], "apikey", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var verb = args.Length > 1 ? args[1] : "help";
        string? id = null;
        for (var i = 2; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "--name" or "--roles" or "--agencies" or "--clearance" or "--expires" or "--overlap" && i + 1 < args.Length)
            {
                options[a[2..]] = args[++i];
            }
            else if (a is "--allow-unregistered-agencies")
            {
                options[a[2..]] = "true";
            }
            else if (!a.StartsWith("--", StringComparison.Ordinal) && id is null)
            {
                id = a;
            }
            else
            {
                rest.Add(a);
            }
        }

        hostArgs = [.. rest];
        return new ApiKeyCommand(verb, options, id);
    }

    /// <summary>Runs the command; returns the process exit code.</summary>
    public async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter? error = null)
    {
        error ??= Console.Error;
        var store = services.GetRequiredService<ApiKeyStore>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var cli = "cli:" + Environment.UserName;
        var by = ArchiveCaller.Authenticated(new Archive.Records.ArchiveUser(cli, cli), [ArchiveRoles.Administrator], principalId: cli);
        try
        {
            switch (_verb)
            {
                case "create":
                    {
                        var (key, record) = await store.CreateAsync(
                            new ApiKeySpec(
                                _options.GetValueOrDefault("name") ?? string.Empty,
                                Split(_options.GetValueOrDefault("roles")),
                                Split(_options.GetValueOrDefault("agencies")),
                                _options.GetValueOrDefault("clearance"),
                                When(_options.GetValueOrDefault("expires"), "expires", time.GetUtcNow()))
                            {
                                AllowUnregisteredAgencies = _options.ContainsKey("allow-unregistered-agencies"),
                            },
                            by).ConfigureAwait(false);
                        await output.WriteLineAsync($"Created API key '{record.Name}' (id {record.Id}, roles {string.Join(',', record.Roles)}{Expiry(record)}). It is shown only now:").ConfigureAwait(false);
                        await output.WriteLineAsync(key).ConfigureAwait(false);
                        await output.WriteLineAsync("Send it as the X-Api-Key header.").ConfigureAwait(false);
                        return 0;
                    }

                case "list":
                    {
                        var all = await store.ListAsync().ConfigureAwait(false);
                        var duplicates = ApiKeyStore.DuplicateNames(all);
                        var now = time.GetUtcNow();
                        foreach (var r in all)
                        {
                            var status = r.RevokedAt is { } revokedAt ? "revoked " + Format(revokedAt)
                                : r.ExpiresAt is { } e && e <= now ? "expired " + Format(e)
                                : "valid" + (r.ExpiresAt is { } until ? " until " + Format(until) : string.Empty);
                            var previous = r.PreviousKeyValidUntil is { } p && p > now ? "  previous secret valid until " + Format(p) : string.Empty;
                            var duplicate = duplicates.Contains(r.Name) ? "  DUPLICATE NAME (tên trùng với khóa khác)" : string.Empty;
                            await output.WriteLineAsync($"{r.Id}  {r.Name}  roles={string.Join(',', r.Roles)}  agencies={string.Join(',', r.Agencies)}  clearance={r.Clearance ?? "-"}  {status}{previous}  ({r.Source}){duplicate}").ConfigureAwait(false);
                        }

                        if (duplicates.Count > 0)
                        {
                            await error.WriteLineAsync($"Warning: {duplicates.Count} key name(s) are shared by several keys ({string.Join(", ", duplicates.Order(StringComparer.Ordinal))}); the audit trail tells them apart by key id (actorId apikey:<id>). Rotate or revoke and re-create to give each a unique name.").ConfigureAwait(false);
                        }

                        return 0;
                    }

                case "rotate" when _id is not null:
                    {
                        var overlap = _options.GetValueOrDefault("overlap") is { } o ? Duration(o, "overlap") : TimeSpan.Zero;
                        var rotated = await store.RotateAsync(_id, overlap, When(_options.GetValueOrDefault("expires"), "expires", time.GetUtcNow()), by).ConfigureAwait(false);
                        if (rotated is not { } r)
                        {
                            await output.WriteLineAsync($"No stored key has the id '{_id}'.").ConfigureAwait(false);
                            return 1;
                        }

                        await output.WriteLineAsync($"Rotated API key '{r.Record.Name}' (id {r.Record.Id}{Expiry(r.Record)}); the previous secret " + (r.Record.PreviousKeyValidUntil is { } until ? "works until " + Format(until) : "no longer works") + ". The new key is shown only now:").ConfigureAwait(false);
                        await output.WriteLineAsync(r.Key).ConfigureAwait(false);
                        return 0;
                    }

                case "revoke" when _id is not null:
                    var revoked = await store.RevokeAsync(_id, by).ConfigureAwait(false);
                    await output.WriteLineAsync(revoked is null ? $"No stored key has the id '{_id}'." : $"Revoked '{revoked.Name}' ({revoked.Id}).").ConfigureAwait(false);
                    return revoked is null ? 1 : 0;

                default:
                    await output.WriteLineAsync("usage: archive-server apikey create --name NAME --roles ROLE[,ROLE] [--agencies ID[,ID]] [--clearance secret] [--expires WHEN] [--allow-unregistered-agencies]").ConfigureAwait(false);
                    await output.WriteLineAsync("       archive-server apikey list").ConfigureAwait(false);
                    await output.WriteLineAsync("       archive-server apikey rotate ID [--overlap DURATION] [--expires WHEN]").ConfigureAwait(false);
                    await output.WriteLineAsync("       archive-server apikey revoke ID").ConfigureAwait(false);
                    await output.WriteLineAsync("WHEN: a date (2026-12-31, 2026-12-31T17:00:00+07:00) or a duration from now; DURATION: 90d, 12h, 30m, 45s").ConfigureAwait(false);
                    await output.WriteLineAsync("roles: " + string.Join(", ", ArchiveRoles.All)).ConfigureAwait(false);
                    return _verb == "help" ? 0 : 2;
            }
        }
        catch (Archive.ArchiveValidationException ex)
        {
            foreach (var e in ex.Errors)
            {
                await error.WriteLineAsync($"{e.Field}: {e.Message} [{e.Rule}]").ConfigureAwait(false);
            }

            return 2;
        }
    }

    /// <summary>A duration such as <c>90d</c>, <c>12h</c>, <c>30m</c>, <c>45s</c> or <c>01:30:00</c>.</summary>
    internal static TimeSpan Duration(string text, string field)
    {
        var t = text.Trim();
        if (t.Length > 1 && double.TryParse(t[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            switch (t[^1])
            {
                case 'd': return TimeSpan.FromDays(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 's': return TimeSpan.FromSeconds(n);
            }
        }

        return TimeSpan.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span
            : throw new Archive.ArchiveValidationException(field, "cli.duration", $"'{text}' không phải khoảng thời gian (ví dụ 90d, 12h, 30m, 45s).");
    }

    private static DateTimeOffset? When(string? text, string field, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : now + Duration(text, field);
    }

    private static string Expiry(ApiKeyRecord record) => record.ExpiresAt is { } e ? ", expires " + Format(e) : string.Empty;

    private static string Format(DateTimeOffset value) => value.ToString("u", System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Split(string? value)
        => string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
