import Mustache

/// The console's pages as mustache templates. `{{name}}` escapes its value for HTML (every text
/// from users and plugins goes through it); `{{{name}}}` is used only for HTML the console or
/// `ReportHTML` built and escaped itself (the page body, the report, inline SVG).
///
/// Compiled once at start-up: a template error is a programming error caught by every console test.
enum ConsoleTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do { try library.register(text, named: name) } catch { preconditionFailure("console template \(name): \(error)") }
        }
        return library
    }()

    static func render(_ name: String, _ values: [String: Any]) -> String {
        guard let html = library.render(values, withTemplate: name) else { preconditionFailure("no console template \(name)") }
        return html
    }

    static let templates: [String: String] = [
        "layout": layout, "login": login, "experiments": experiments, "experiment": experiment, "circles": circles,
        "circle": circle, "why": why, "whyForm": whyForm, "health": health, "message": message,
    ]

    static let style = """
        :root{--fg:#1a202c;--muted:#4a5568;--line:#e2e8f0;--accent:#2b6cb0;--bad:#c53030;--ok:#2f855a;--warn:#975a16}
        body{font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;margin:0;color:var(--fg)}
        .skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;padding:.4em;z-index:2}
        header.top{background:#1a365d;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center}
        header.top a{color:#fff}header.top .brand{font-weight:700;text-decoration:none;margin-right:.5em}
        header.top nav a{margin-right:1em}header.top form{margin-left:auto}
        main{max-width:1040px;margin:0 auto;padding:1em}
        a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f6ad55;outline-offset:2px}
        table{border-collapse:collapse;width:100%}td,th{padding:.35em .6em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        .num{text-align:right;font-variant-numeric:tabular-nums}.wide{overflow-x:auto}
        .meta{color:var(--muted)}.bad{color:var(--bad)}.ok{color:var(--ok)}.warn{color:var(--warn)}
        .status{display:inline-block;border-radius:4px;padding:0 .5em;color:#fff;font-weight:600;background:#718096}
        .status.running{background:var(--accent)}.status.stopped{background:var(--bad)}.status.shipped{background:var(--ok)}
        .flash{border-left:4px solid var(--ok);background:#f0fff4;padding:.6em 1em}.error{border-left:4px solid var(--bad);background:#fff5f5;padding:.6em 1em}
        form.action{border:1px solid var(--line);border-radius:6px;padding:.8em 1em;margin:.8em 0;max-width:40em}
        .actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(17em,1fr));gap:0 1em}.actions form.action{margin:.4em 0}
        form.action label,form.inline label{display:block;margin:.3em 0}
        input[type=text],input[type=password],input[type=number],select,textarea{font:inherit;padding:.3em;max-width:100%;box-sizing:border-box}
        textarea{width:100%;min-height:3em}button{font:inherit;padding:.3em 1em;cursor:pointer}
        button.danger{background:var(--bad);color:#fff;border:0;border-radius:4px}
        pre.source{background:#f7fafc;border:1px solid var(--line);padding:.5em 0;overflow-x:auto;font-size:13px;line-height:1.45}
        pre.source span.ln{display:inline-block;width:3.5em;text-align:right;padding-right:1em;color:#a0aec0;user-select:none}
        pre.source span.hit{background:#fefcbf;display:inline-block;width:100%}
        ul.reads{font-family:ui-monospace,monospace;font-size:13px}
        @media (max-width:640px){main{padding:.5em}td,th{padding:.3em}header.top form{margin-left:0}
          table.cards thead{display:none}table.cards tr{display:block;border-bottom:2px solid var(--line);padding:.4em 0}
          table.cards td{display:block;border:0;padding:.15em .3em;text-align:left}
          table.cards td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.9em}}
        """

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>{{title}} · Quanzi console</title>
        <style>{{{style}}}</style>{{#reportStyle}}<style>{{{reportStyle}}}</style>{{/reportStyle}}
        </head><body>
        <a class="skip" href="#content">Skip to content</a>
        {{#signedIn}}<header class="top"><a class="brand" href="/console">Quanzi console</a>
        <nav aria-label="Console"><a href="/console">Experiments</a><a href="/console/circles">Circles</a><a href="/console/health">Health</a></nav>
        <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="{{csrf}}">
        <span class="meta" style="color:#e2e8f0">admin user {{userID}}</span> <button type="submit">Log out</button></form></header>{{/signedIn}}
        <main id="content">
        {{#flash}}<p class="flash" role="status">{{flash}}</p>{{/flash}}
        {{#error}}<p class="error" role="alert"><strong>{{code}}</strong>: {{message}}</p>{{/error}}
        {{{content}}}
        </main>
        {{#signedIn}}<script src="/console/live.js" defer></script>{{/signedIn}}
        </body></html>

        """

    static let login = """
        <h1>Log in to the console</h1>
        <p>Paste an admin API token (<code>quanzi token USER --admin</code> prints one). It is checked once; the console then
        keeps a session cookie for {{hours}} hours (an hour when idle). A user's or a moderator's token is refused.</p>
        <form class="action" method="post" action="/console/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="token">Admin token</label>
        <input type="password" id="token" name="token" autocomplete="off" required size="50">
        <p><button type="submit">Log in</button></p>
        </form>

        """

    static let experiments = """
        <h1>Experiments</h1>
        <p class="meta">{{count}} declared · figures as of {{now}}{{#nextCheck}} · the watcher looks next at {{nextCheck}}{{/nextCheck}}{{^nextCheck}} · no watcher runs on this node (serve --watch-interval-minutes){{/nextCheck}}</p>
        <div class="wide"><table id="experiments" class="cards">
        <thead><tr><th scope="col">experiment</th><th scope="col">status</th><th scope="col">ramp</th><th scope="col" class="num">exposed</th>
        <th scope="col">primary metric</th><th scope="col">guardrails</th><th scope="col">version</th><th scope="col">last look</th></tr></thead>
        <tbody>
        {{#experiments}}<tr id="experiment-{{id}}">
        <td><a href="/console/experiments/{{id}}">{{id}}</a>{{#title}}<br><span class="meta">{{title}}</span>{{/title}}</td>
        <td data-label="status"><span class="status {{status}}" data-status="{{status}}" data-live="status:{{id}}">{{status}}</span></td>
        <td data-label="ramp" data-live="ramp:{{id}}">{{ramp}}</td>
        <td class="num" data-label="exposed">{{#exposed}}{{name}} <span data-live="exposed:{{id}}:{{name}}">{{users}}</span><br>{{/exposed}}</td>
        <td data-label="primary">{{#primary}}{{metric}}: <strong>{{lift}}</strong><br><span class="meta">{{interval}}</span>{{/primary}}{{^primary}}<span class="meta">—</span>{{/primary}}<br><span class="meta">analysed {{analysedAt}}</span></td>
        <td data-label="guardrails">{{#guardrails}}<span class="{{tone}}">{{metric}} {{verdict}}</span><br>{{/guardrails}}{{^guardrails}}<span class="meta">none</span>{{/guardrails}}</td>
        <td data-label="version">{{#nodeVersions}}{{node}}: <code>{{version}}</code><br>{{/nodeVersions}}{{^nodeVersions}}<code>{{version}}</code>{{/nodeVersions}}</td>
        <td data-label="last look">{{lastLook}}</td>
        </tr>{{/experiments}}
        </tbody></table></div>

        """

    static let experiment = """
        <p><a href="/console">← Experiments</a></p>
        <h1>{{id}}{{#title}} · {{title}}{{/title}}</h1>
        <p><span class="status {{status}}" id="status" data-status="{{status}}" data-live="status:{{id}}">{{status}}</span> · <span data-live="ramp:{{id}}">{{ramp}}</span>
        · exposed {{#exposed}}{{name}} <span data-live="exposed:{{id}}:{{name}}">{{users}}</span> {{/exposed}}
        · version <code>{{version}}</code>{{#nextCheck}} · next check {{nextCheck}}{{/nextCheck}}{{#lastLook}} · last look {{lastLook}}{{/lastLook}}</p>
        <p><a href="#actions">Actions</a> · <a href="#timeline-heading">Timeline</a> · <a href="#report">Live report</a></p>
        <h2 id="timeline-heading">Timeline</h2>
        <div class="wide"><table id="timeline"><thead><tr><th scope="col">when</th><th scope="col">what</th><th scope="col">who</th><th scope="col">why</th></tr></thead><tbody>
        {{#timeline}}<tr><td>{{at}}</td><td>{{what}}</td><td>{{who}}</td><td>{{why}}{{#hasEvidence}}<ul>{{#evidence}}<li>{{.}}</li>{{/evidence}}</ul>{{/hasEvidence}}</td></tr>{{/timeline}}
        {{^timeline}}<tr><td colspan="4" class="meta">Nothing recorded yet: the file's status holds.</td></tr>{{/timeline}}
        </tbody></table></div>
        <h2 id="actions">Actions</h2>
        <p class="meta">Each action asks for a reason, which is recorded with your user id in the experiment's timeline.</p>
        <div class="actions">
        {{#canStop}}<form class="action" method="post" action="/console/experiments/{{id}}/stop" id="stop-form">
        <input type="hidden" name="csrf" value="{{csrf}}"><strong>Stop</strong>: everyone gets control from now on.
        <label for="stop-reason">Reason</label><textarea id="stop-reason" name="reason" required maxlength="500"></textarea>
        <label><input type="checkbox" name="confirm" value="yes" required> I confirm stopping {{id}}</label>
        <button type="submit" class="danger">Stop experiment</button></form>{{/canStop}}
        {{#canShip}}<form class="action" method="post" action="/console/experiments/{{id}}/ship" id="ship-form">
        <input type="hidden" name="csrf" value="{{csrf}}"><strong>Ship</strong>: every targeted user gets the variant from now on.
        <label for="ship-variant">Variant</label><select id="ship-variant" name="variant">{{#variants}}<option>{{.}}</option>{{/variants}}</select>
        <label for="ship-reason">Reason</label><textarea id="ship-reason" name="reason" required maxlength="500"></textarea>
        <label><input type="checkbox" name="confirm" value="yes" required> I confirm shipping this variant of {{id}}</label>
        <button type="submit">Ship variant</button></form>{{/canShip}}
        {{#rampActions}}<form class="action" method="post" action="/console/experiments/{{id}}/ramp" id="ramp-form">
        <input type="hidden" name="csrf" value="{{csrf}}"><strong>Ramp</strong>: {{#held}}held by a person: the watcher leaves it at its step.{{/held}}{{^held}}the watcher moves it on when a step's hold has passed and every guardrail is clear.{{/held}}
        <fieldset><legend>Action</legend>
        {{#next}}<label><input type="radio" name="action" value="advance" required> Advance now to {{next}}</label>{{/next}}
        {{^held}}<label><input type="radio" name="action" value="hold" required> Hold at this step</label>{{/held}}
        {{#held}}<label><input type="radio" name="action" value="release" required> Release the hold</label>{{/held}}
        </fieldset>
        <label for="ramp-reason">Reason</label><textarea id="ramp-reason" name="reason" required maxlength="500"></textarea>
        <label><input type="checkbox" name="confirm" value="yes" required> I confirm this change to the ramp of {{id}}</label>
        <button type="submit">Change the ramp</button></form>{{/rampActions}}
        <form class="action" method="post" action="/console/experiments/{{id}}/force" id="force-form">
        <input type="hidden" name="csrf" value="{{csrf}}"><strong>Force a user into a variant</strong> (QA; left out of analysis).
        <label for="force-user">User id</label><input type="number" id="force-user" name="user" min="1" required>
        <label for="force-variant">Variant</label><select id="force-variant" name="variant">{{#variants}}<option>{{.}}</option>{{/variants}}</select>
        <label for="force-reason">Reason</label><textarea id="force-reason" name="reason" required maxlength="500"></textarea>
        <label><input type="checkbox" name="confirm" value="yes" required> I confirm forcing this user</label>
        <button type="submit">Force user</button></form>
        </div>
        <h2 id="report">Live report</h2>
        <div class="report">{{{report}}}</div>

        """

    static let circles = """
        <h1>Circles</h1>
        <div class="wide"><table><thead><tr><th scope="col">circle</th><th scope="col">file</th><th scope="col">rules</th><th scope="col">tests</th><th scope="col">version on each node</th></tr></thead><tbody>
        {{#circles}}<tr><td><a href="/console/circles/{{id}}">{{id}}</a><br><span class="meta">{{title}}</span></td><td><code>{{file}}</code></td>
        <td>{{#rules}}{{action}} <span class="meta">:{{line}}</span><br>{{/rules}}</td>
        <td class="{{testsTone}}">{{testsSummary}}</td><td>{{#nodes}}{{node}}: <code>{{version}}</code><br>{{/nodes}}</td></tr>{{/circles}}
        </tbody></table></div>
        <h2 id="why">Why?</h2>
        {{{whyForm}}}

        """

    static let whyForm = """
        <form class="inline" method="get" action="/console/why" id="why-form">
        <label for="why-user">User id</label><input type="number" id="why-user" name="user" min="1" required value="{{user}}">
        <label for="why-action">Action</label><select id="why-action" name="action">{{#actions}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/actions}}</select>
        <label for="why-circle">Circle</label><select id="why-circle" name="circle">{{#circleIDs}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/circleIDs}}</select>
        <label for="why-post">Post id (optional)</label><input type="number" id="why-post" name="post" min="1" value="{{post}}">
        <p><button type="submit">Ask why</button></p>
        </form>

        """

    static let circle = """
        <p><a href="/console/circles">← Circles</a></p>
        <h1>{{id}} · {{title}}</h1>
        <p class="meta"><code>{{file}}</code> · version <code>{{version}}</code> · audience {{audience}}</p>
        <h2>Rules</h2><ul>{{#rules}}<li><a href="#L{{line}}">{{action}}</a> at {{file}}:{{line}}</li>{{/rules}}</ul>
        <h2>Tests</h2><p class="{{testsTone}}">{{testsSummary}}</p>
        <ul>{{#tests}}<li class="{{tone}}">{{verdict}} {{title}} <span class="meta">({{location}})</span>{{#failure}}: {{failure}}{{/failure}}</li>{{/tests}}</ul>
        <h2>Source</h2>
        <pre class="source" aria-label="source of {{file}}">{{#lines}}<span id="L{{number}}"{{#hit}} class="hit"{{/hit}}><span class="ln">{{number}}</span>{{text}}</span>
        {{/lines}}</pre>

        """

    static let why = """
        <p><a href="/console/circles">← Circles</a></p>
        <h1>Why?</h1>
        {{#answer}}<section id="why-answer" aria-live="polite">
        <p class="{{tone}}"><strong id="why-verdict">{{verdict}}</strong></p>
        {{#blocked}}<p>Blocked: checked by the core before any rule (no rule ran).</p>{{/blocked}}
        {{#location}}<p>Rule: <a href="/console/circles/{{circle}}#L{{line}}"><code>{{location}}</code></a></p>{{/location}}
        {{#post}}<p>Post {{postID}} by user {{postAuthor}}:</p><blockquote id="why-post-text">{{postText}}</blockquote>{{/post}}
        {{#hasReads}}<p>What the rule read:</p><ul class="reads">{{#reads}}<li>{{.}}</li>{{/reads}}</ul>{{/hasReads}}
        {{#hasRuleSource}}<p>The rule:</p><pre class="source">{{#ruleSource}}<span><span class="ln">{{number}}</span>{{text}}</span>
        {{/ruleSource}}</pre>{{/hasRuleSource}}
        </section>{{/answer}}
        {{{whyForm}}}

        """

    static let health = """
        <h1>Health</h1>
        <p class="meta">{{node}} · scripts set <code>{{setVersion}}</code> (generation {{generation}}, loaded {{loadedAt}}) · {{sessions}} console session(s)</p>
        <h2>Wallet</h2>
        {{#ledger}}<p id="ledger-summary" class="{{tone}}"><strong>{{headline}}</strong></p>
        <ul>{{#lines}}<li>{{.}}</li>{{/lines}}</ul>{{/ledger}}
        {{^ledger}}<p class="meta">Not verified on this page yet.</p>{{/ledger}}
        <form method="post" action="/console/health/verify"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Run ledger verify</button> <span class="meta">(reads every transfer and balance)</span></form>
        <h2>Figures from /metrics</h2>
        <div class="wide"><table id="figures"><thead><tr><th scope="col">figure</th><th scope="col" class="num">value</th></tr></thead><tbody>
        {{#figures}}<tr><td>{{name}}</td><td class="num" data-figure="{{key}}">{{value}}</td></tr>{{/figures}}
        </tbody></table></div>
        <h2>Followers</h2>
        {{#hasFollowers}}<table><thead><tr><th scope="col">node</th><th scope="col" class="num">lag</th></tr></thead><tbody>
        {{#followers}}<tr><td>{{node}}</td><td class="num" data-figure="follower_lag">{{lag}}</td></tr>{{/followers}}</tbody></table>{{/hasFollowers}}
        {{^hasFollowers}}<p class="meta">One node on SQLite: no event follower runs.</p>{{/hasFollowers}}
        {{#hasNodes}}<h2>Nodes sharing the database</h2>
        <p class="meta">Each node's latest heartbeat (it records the scripts it serves every few seconds); each node's own follower lag is on its /metrics as quanzi_feed_follow_lag_seconds.</p>
        <table><thead><tr><th scope="col">node</th><th scope="col">last heartbeat</th></tr></thead><tbody>
        {{#nodes}}<tr><td>{{node}}{{#thisNode}} (this node){{/thisNode}}</td><td>{{seen}} ({{ago}})</td></tr>{{/nodes}}</tbody></table>{{/hasNodes}}

        """

    static let message = """
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}

        """
}
