"""A compact list of English and programming words, used to tell human-chosen text from generated secrets.

Kept small on purpose (a few hundred stems of three letters or more): a value made mostly of these words is
an identifier, a sentence or a memorable password, not a key a machine generated. Lower case only.
"""

from __future__ import annotations

_WORDS = """
abc about not the our my python types kind
access account action active adapter add address admin after agent alert alias all allow alpha
amazon and another any api app apple application apply archive area argument array asset async auth author
auto available back backend backup bad ball bank base basic batch bearer before begin beta big bin bind
bit black blob block blue board body book bool boot bot box branch break bridge browser bucket buffer
bug build bundle business button buy byte cache call callback can cancel card case cat catch cert change
changeme channel char chart chat check child class clean clear click client clone close cloud cluster code
color column command comment commit common company compare complete config confirm connect console const
contact container content context control cookie copy core correct count country create credential cron
crypto current custom customer dark data database date day debug decode default delete demo deploy desc
dev device dict digest direct disable display doc docker document domain done door down dragon driver drop
dummy dump east edit element else email empty enable encode encrypt end engine enter entry env environment
error event example exec exit expire export extra factory fail fake false feature fetch field file filter
final find fire first fish flag flow folder font foo foobar football for form format forward frame free
friend from front full function gate gateway general generic get git github global go gold good google
grant graph green group guest hash head header hello help hidden history hold home hook host hour http
https hunter icon identity image import index info init inner input insert instance internal invalid item
java job join json jump just key keys king label lambda last layer left legacy length letter level library
license light limit line link list live load local lock log login long lookup love main manager map master
match max media member memory menu merge message meta method min mobile mock mode model module money
monkey month more mysql name native network new next node none north note null number object off office
old one only open option order origin other output owner package page pair panel param parent parse part
pass passphrase password passwd path pattern pay peer people person phone pin pipe place plain plan
platform player plugin point policy pool port post power prefix premium press price primary print private
prod product profile project prompt provider proxy public pull push query queue quick random read real
record redacted redis refresh region register release remote remove render replace report repo request
require reset resource response rest result return right role root route row rule run sample save scope
score script search secret section secure security seed select self send sender server service session set
setting setup shadow share shell short sign signature simple single site size skip slack small social soft
some source south space spring sql stack stage standard star start state static status step storage store
stream string strong style subject submit success summer sun super support switch sync system table tag
target task team temp template tenant test text thing this thread ticket time title today token tool top
total trace track train transfer tree trigger true trust type unique unit update upload url user username
util valid value vault verify version view virtual wall warn watch web welcome west what white window
winter word work worker world write wrong xml yaml year yellow your zero zone qwerty letmein iloveyou
princess baseball shadow sunshine michael jordan charlie password secret admin welcome
"""

WORDS: frozenset[str] = frozenset(_WORDS.split())
MAX_WORD = max(len(w) for w in WORDS)
