"""A scripted interview against a running rehearse server whose grader is a real LLM.

Used by scripts/llm-real. For each (topic, level) given, it starts an interview of three questions
and answers them strong, weak, strong (or weak, strong, weak for the second interview): a strong
answer is the bank's model answer for the question, a weak one a vague sentence. Follow-ups get
"I am not sure." It prints, per main question, who graded it (llm or the built-in fallback) and
the score, then validity (graded by the LLM / all graded turns) and whether strong answers scored
above weak ones of the same kind. The last line is the same as JSON.

    python llm-real-interview.py ws://127.0.0.1:PORT/ws BANK_JSON concurrency:junior behavioral:junior
"""

import asyncio
import json
import sys
import time
import uuid

import websockets

WEAK = {
    "behavioral": "There was a problem once at work and the team sorted it out in the end.",
    "other": "I am not completely sure, I think it is something Python does internally.",
}


async def interview(url, bank, topic, level, pattern):
    graded, mains = [], []
    async with websockets.connect(url, max_size=2**20, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "start", "topics": [topic], "level": level, "count": 3}))
        main_turn, strength, question_kind, index = None, None, None, 0
        while True:
            msg = json.loads(await ws.recv())
            t = msg["type"]
            if t == "question":
                if msg["follow_up"]:
                    text = "I am not sure."
                else:
                    strength = pattern[index % len(pattern)]
                    index += 1
                    main_turn, question_kind = msg["turn"], msg["kind"]
                    q = bank[msg["question_id"]]
                    text = q["model_answer"] if strength == "strong" else WEAK[
                        "behavioral" if msg["kind"] == "behavioral" else "other"]
                    print(f"  Q{msg['index']} {msg['question_id']} ({strength})", flush=True)
                started = time.monotonic()
                await ws.send(json.dumps({"type": "answer", "text": text, "client_msg_id": str(uuid.uuid4())}))
            elif t == "evaluation":
                e = msg["evaluation"]
                took = time.monotonic() - started
                graded.append({"turn": msg["turn"], "source": e["source"], "overall": e["overall"], "seconds": round(took, 1)})
                print(f"    turn {msg['turn']}: {e['source']} {e['overall']}/100 after {took:.0f} s"
                      + (", rewrite shown" if e.get("rewrite") else ""), flush=True)
                if msg["turn"] == main_turn:
                    mains.append({"kind": question_kind, "strength": strength, "source": e["source"], "overall": e["overall"]})
            elif t == "summary":
                return graded, mains
            elif t == "error":
                print(f"    error {msg['code']}: {msg['message']}", flush=True)
                if msg.get("fatal"):
                    return graded, mains


async def main():
    url, bank_file, cells = sys.argv[1], sys.argv[2], sys.argv[3:]
    bank = {q["id"]: q for q in json.load(open(bank_file))}
    graded, mains = [], []
    for i, cell in enumerate(cells):
        topic, level = cell.split(":")
        pattern = ["strong", "weak", "strong"] if i % 2 == 0 else ["weak", "strong", "weak"]
        print(f"interview: {topic}, {level}", flush=True)
        g, m = await interview(url, bank, topic, level, pattern)
        graded += g
        mains += m
    valid = sum(1 for g in graded if g["source"] == "llm")
    pairs = ordered = 0
    for a in mains:
        for b in mains:
            if a["kind"] == b["kind"] and a["strength"] == "strong" and b["strength"] == "weak":
                pairs += 1
                ordered += a["overall"] > b["overall"]
    print(f"interview: {valid}/{len(graded)} turns graded by the LLM; strong above weak in {ordered}/{pairs} pairs")
    print("INTERVIEW " + json.dumps({"graded": graded, "mains": mains, "valid": valid, "turns": len(graded),
                                     "pairs": pairs, "ordered": ordered}))


asyncio.run(main())
