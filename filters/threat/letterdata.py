"""Letter triples that words of English, German, Polish, French, Spanish, Italian, Portuguese and
Dutch hold (10951; `^` and `$` are a word's edges). Each row is two letters and the letters
that follow them. Written by `benchmarks/threat/letters.py` from Debian's word lists; do not edit.
"""

TRIPLES = """
^a:abcdefghijklmnopqrstuvwxyz ^b:aehijlmnoprtuyz ^c:aehijklmnoprstuwyz ^d:abcdehijklmnoprsuvwyz
^e:abcdefghijklmnopqrstuvwxyz ^f:aeijlmnortuy ^g:abdehijlmnoruwyz ^h:aeijlmnorstuvwy
^i:abcdefghjklmnopqrstuvwxz ^j:acehikmou ^k:abcehijlmnoprstuwy ^l:abeghiklmnosuvwxyz
^m:abcdefghijklmnoprsuwyz ^n:adegijoruvy ^o:abcdefghijklmnopqrstuvwxyz ^p:acefghijklmnoprstuvwyz
^q:aiquw ^r:adehikortuwyz ^s:abcdefghijklmnopqrstuvwyz ^t:abcehijklmnorsuwyz
^u:abcdefghijklmnoprstuvwxyz ^v:abeiloruy ^w:abcdeghijklmnoprstuwyz ^x:abceipsuvxy ^y:aeghiklmnoptuv
^z:abdeghijlmnorsuvwyz aa:$abcdefgiklmnprstuvwyz ab:$abcdefghijklmnopqrstuvwyz
ac:$abcdeghijklmnopqrstuwyz ad:$abcdefghijklmnopqrstuvwyz ae:$acdfgklmnoprstuvwyz
af:$abcdefghijklmnoprstuvwyz ag:$abcdefghijklmnopqrstuvwyz ah:$abdefghijklmnorstuwyz
ai:$abcdefghijklmnopqrstuvwxyz aj:$abcdefghijklmnoprstuvwz ak:$abcdefghijklmnopqrstuvwyz
al:$abcdefghijklmnopqrstuvwyz am:$abcdefghiklmnoprstuvwyz an:$abcdefghijklmnopqrstuvwxyz
ao:$bcdefghijklmnoprstuvwxyz ap:$abcdefghijklmnoprstuvwyz aq:aiou ar:$abcdefghijklmnopqrstuvwxyz
as:$abcdefghijklmnopqrstuvwyz at:$abcdefghijklmnoprstuvwyz au:$abcdefghijklmnopqrstuvwxyz
av:$aeiklnorstuvy aw:$abcdefghijklmnoprstuyz ax:$abcefghiklmnostuwy ay:$abcdefghiklmnoprstuwyz
az:$abcdeghijklmnoprstuwyz ba:$abcdefghijklmnopqrstuvwxyz bb:$aeilorstuy bc:$aehilmouyz
bd:$aeiloruyz be:$abcdefghijklmnopqrstuvwxyz bf:aeiloru bg:adeiloruw bh:aeioru
bi:$abcdefghijklmnopqrstuvwxz bj:aeou bk:aeilnoru bl:$abceikmosuy bm:aeioruxy bn:$aeiouy
bo:$abcdefghijklmnopqrstuvwxyz bp:$aefhilorsuy bq:u br:$acdeiknosuwyz bs:$abcdefghijklmnopqrstuvwyz
bt:$aeghiklorsuy bu:$abcdefghijklmnopqrstuvwxyz bv:aeilo bw:aeioru by:$abcdefghijklmnoprstuvwz
bz:$adeilnouwy ca:$abcdefghijklmnopqrstuvwxyz cb:$aeoruy cc:$aehiloruyz cd:$eorz
ce:$abcdefghijklmnopqrstuvwyz cf:aiu cg:alor ch:$abcdefghijklmnopqrstuvwyz
ci:$abcdefghijklmnopqrstuvwz cj:aeiou ck:$abcdefghijklmnoprstuvwxyz cl:$aeilouxy cm:$aeioy cn:aeiouy
co:$abcdefghijklmnopqrstuvwxyz cp:aehilnoru cq:$u cr:$aeiouyz cs:$aeilostuy
ct:$abcdefghijklmnoprstuvwyz cu:$abcdefgijklmnopqrstuvyz cw:$aeioy cx:$ cy:$abcdefgijklmnoprstvwz
cz:$abcdefhijklmnoprtuwyz da:$abcdefghijklmnopqrstuvwxyz db:$aeiloruy dc:aehiloruwyz
dd:$aehilnorsuwyz de:$abcdefghijklmnopqrstuvwxyz df:aeiloru dg:adeilmnoruwy dh:aeiopuy
di:$abcdefghijklmnopqrstuvwxyz dj:$aeiou dk:$aeilnoprsuvw dl:$abceikmnosuyz dm:$aeiloruy dn:$aeiouy
do:$abcdefghijklmnopqrstuvwxyz dp:$acefhilorsuy dq:u dr:$acdegiknosuwyz ds:$abcdefghijklmnoprstuvwyz
dt:$abceghiklmnoprstuvwy du:$abcdefghijklmnopqrstuvwxyz dv:aeiloru dw:$acdeilorsuyz
dy:$abcdefghijklmnoprstuwz dz:$abcdeghijklmnoprstuwyz ea:$abcdefghijklmnopqrstuvwyz
eb:$abcdefghiklmnoprstuvwyz ec:$abcdeghijklmnopqrstuwyz ed:$abcdefghijklmnoprstuvwyz
ee:$abcdefghijklmnopqrstuvwxz ef:$abcdefghijklmnoprstuvwyz eg:$abcdefghijklmnoprstuvwyz
eh:$abdefghiklmnoprstuvwyz ei:$abcdefghijklmnopqrstuvwxz ej:$abcdefghijklmnoprstuwz
ek:$abcdefghijklmnoprstuvwyz el:$abcdefghijklmnopqrstuvwyz em:$abcdefghijklmnoprstuvwyz
en:$abcdefghijklmnopqrstuvwxyz eo:$abcdefghijklmnoprstuvwxyz ep:$abcdefghijklmnoprstuvwyz eq:u
er:$abcdefghijklmnopqrstuvwxyz es:$abcdefghijklmnopqrstuvwyz et:$abcdefghijklmnoprstuvwyz
eu:$abcdefghijklmnoprstuvwxz ev:$aceilorstuy ew:$abcdefghijklmnoprstuwyz
ex:$abcdefghiklmopqrstuvwxyz ey:$abcdefghiklmnoprstuvw ez:$abcdefghijklmnopqrstuvwyz
fa:$abcdefghijklmnopqrstuvwxyz fb:aeiloru fc:aehilouyz fd:$abcdefghijklmnoprstuvwz
fe:$abcdefghijklmnopqrstuvwxyz ff:$abcefghilmnoprstuvwyz fg:aehiloru fh:aeiouy
fi:$abcdefgijklmnopqrstuvwxz fj:aeo fk:aeilnoruw fl:$aeiouy fm:aeiouy fn:aeiouy
fo:$abcdefghijklmnopqrstuvwxyz fp:aefiloru fq:u fr:$aeiouyz fs:$abcdefghijklmnoprstuvwyz
ft:$abcdefghijklmnoprstuvwyz fu:$abcdefghijklmnorstuxyz fv:aeiloru fw:aeioru fy:$dgiklrstwz
fz:aeiotuw ga:$abcdefghijklmnoprstuvwyz gb:aeiloruy gc:aehiloruz gd:$abcdefghijklmnoprstuvwyz
ge:$abcdefghijklmnopqrstuvwxyz gf:aeiloru gg:$adehilnorstuy gh:$abcefhijlnorstuwy
gi:$abcdefgijklmnopqrstuvwz gj:aeiou gk:aeilnoruw gl:$abceiosuyz gm:$aeiouy gn:$abehikmoprstuwy
go:$abcdefghijklmnoprstuvwyz gp:aefilorsu gq:iu gr:$acdeiouyz gs:$abcdefghijklmnopqrstuvwyz
gt:$aehilmorsuwy gu:$abcdefgijlmnoprstuwyz gv:aeiloru gw:$adeioruy gx:i gy:$abegklmnoprstuy
gz:aehilouwy ha:$abcdefghijklmnopqrstuvwyz hb:aeiloruy hc:$acehiklmoz hd:$aeinoruyz
he:$abcdefghijklmnopqrstuvwxyz hf:aeiloru hg:aeiloru hh:aeiou hi:$abcdefghijklmnopqrstuvwz hj:aeou
hk:aeilnoru hl:$abcdefghiklmnoprstuvwyz hm:$abegilorstuyz hn:$abcdefghijklmnoprstuvwyz
ho:$abcdefghijklmnopqrstuvwyz hp:$aefiloru hq:au hr:$abcdefghijklmnopqrstuvwyz
hs:$abcdefghijklmnoprstuvwyz ht:$abcdefghijklmnopqrstuvwyz hu:$abcdefghijklmnopqrstuvwxyz hv:aeilo
hw:$aehilosuy hy:$abcdefgijklmnoprstuvxz hz:$aeiotuw ia:$abcdefghijklmnopqrstuvwz
ib:$abcdefghiklmnoprstuwyz ic:$abceghijklmnoprstuwyz id:$abcdefghijklmnoprstuvwyz
ie:$abcdefghijklmnopqrstuvwxyz if:$abcdefghijklmnoprstuvwyz ig:$abcdefghijklmnoprstuvwyz
ih:$abehilnorstuwy ii:$acegijlmnostz ij:$abcdefghijklmnoprstuvwz ik:$abcdefghijklmnoprstuvwxz
il:$abcdefghijklmnoprstuvwyz im:$abcdefghijklmnoprstuvwyz in:$abcdefghijklmnopqrstuvwxyz
io:$abcdefghijklmnopqrstuvwxz ip:$abcdefghijklmnoprstuvwyz iq:iu ir:$abcdefghijklmnopqrstuvwyz
is:$abcdefghijklmnopqrstuvwyz it:$abcdefghijklmnoprstuvwyz iu:$abcdefghijklmnoprstvwz
iv:$abdefgiklmoprstuvwy iw:$abcdefghijklmnoprstuwyz ix:$abdegilmopstuvwy iy:au
iz:$abcdefghijklmnopqrstuvwyz ja:$abcdefghijklmnopqrstuvwxyz jb:$aegilnoruyz jc:$acehijkmnouwyz
jd:$abcdefghijklmnoprstuvwyz je:$abcdefghijklmnoprstuvwxz jf:$abcdefghijklmnoprstuvwyz
jg:$abdehilnoprstuvwz jh:aeiou ji:$abcdefghijklmnopqrstvz jj:aeou jk:$abcdefghijklmnoprstuvwxz
jl:$abcdefghiklmoprstuvwyz jm:$abcdeghiklmnoprstuvwyz jn:$abcdefghijklmnoprstuvwyz
jo:$abcdefghijklmnopqrstuvwyz jp:$abefghijklmoprstuvwyz jr:$adeiouyz js:$abcdefghijklmnoprstuvwyz
jt:$abcefghijklmnoprstuvwyz ju:$abcdefghijklmnpqrstuvwxz jv:aeiloru jw:$acdeilnoprsuyz
jz:$abdegijklmnoruwy ka:$abcdefghijklmnoprstuvwxyz kb:aeiloruy kc:aehijloruyz kd:aeioruyz
ke:$abcdefghijklmnoprstuvwxyz kf:aeiloru kg:$aeiloru kh:$aeijmosuy ki:$abcdefghijklmnoprstuvwz
kj:aeou kk:$aefilnoruw kl:$abceimnosuwyz km:$adeiou kn:aeiouy ko:$abcdefghijklmnoprstuvwxz
kp:$aefhilorsu kq:u kr:$abceiklnorstuwyz ks:$abcdefghijklmnoprstuvwyz kt:$abcdefghijklmnoprstuvwyz
ku:$abcdefghijklmnoprstuwyz kv:aeiloru kw:$aeiosuy kx:$ao ky:$abcdefgjklmnoprstuwz kz:aeiouwy
la:$abcdefghijklmnopqrstuvwxyz lb:$abcdefghijklmnorstuvwyz lc:$aceghijklmoruwyz
ld:$abcdefghijklmnopqrstuvwyz le:$abcdefghijklmnopqrstuvwxyz lf:$abcdefghijklmnoprstuvwyz
lg:$abcdefghijklmnoprstuvwz lh:aeiouy li:$abcdefghijklmnopqrstuvwxz lj:aeiou
lk:$abcdefghijklmnopqrstuvwyz ll:$abcdefghijklmnopqrstuvwyz lm:$abcdefghijklmnoprstuvwyz
ln:$acdeimosuyz lo:$abcdefghijklmnopqrstuvwxyz lp:$abcdefghijklmnoprstuvwyz lq:iu lr:aeiouyz
ls:$abcdefghijklmnoprstuvwyz lt:$abcdefghijklmnoprstuvwyz lu:$abcdefghijklmnopqrstuvwxyz lv:aeiloruy
lw:$aeiklosuy lx:iv ly:$abcdefghijklmnoprstuvwxz lz:$abcdefghiklmnoprstuvwyz
ma:$abcdefghijklmnopqrstuvwxyz mb:$adefiklnoprstuy mc:$acdeghijklmnopqrtuyz md:$abdefghijklmorstuwz
me:$abcdefghijklmnopqrstuvwxyz mf:$abeikloruy mg:$aeilnoru mh:aeiouy mi:$abcdefghijklmnopqrstuvwxyz
mj:aeoru mk:aehilnoruw ml:$acefimopuyz mm:$abcdefghiklmnoprstuvwyz mn:$aeiostuy
mo:$abcdefghijklmnopqrstuvwxyz mp:$abcdefghijklmnoprstuvwyz mq:u mr:$aeiouyz
ms:$abcdefghijklmnoprstuvwyz mt:$abdefghiklmoprsuvwyz mu:$abcdefghijklmnopqrstuwz mv:aeiloru
mw:aeioru mx:o my:$acdegijklmnorstwxz mz:$aeiouwy na:$abcdefghijklmnopqrstuvwxyz nb:$aceilmoruz
nc:$abcehijklmoprstuwyz nd:$abcdefghijklmnopqrstuvwyz ne:$abcdefghijklmnopqrstuvwxyz
nf:$aefghijklmoprstuwyz ng:$abcdefghijklmnopqrstuvwxyz nh:$aeiouy ni:$abcdefghijklmnopqrstuvwxz
nj:aeiou nk:$abcdefghijklmnoprstuvwyz nl:aeilouy nm:aeiouy nn:$abcdefghijklmnoprstuvwyz
no:$abcdefghijklmnopqrstuvwxyz np:aefhilorsu nq:u nr:$aehiouyz ns:$abcdefghijklmnopqrstuvwyz
nt:$abcdefghijklmnoprstuvwyz nu:$abcdefghijklmnopqrstuvwxyz nv:aeiloru nw:$aehioru nx:$aeiouvy
ny:$abcdeghiklmnopstuwxz nz:$abcdefghijklmnopqrstuvwyz oa:$abcdefghijklmnpqrstuvwxz
ob:$abcdefghijklmnoprstuvwyz oc:$abcehijklmnopqrstuwyz od:$abcdefghijklmnoprstuvwyz
oe:$abcdefghijklmnopqrstuvwxyz of:$abcdefghijklmnoprstuvwyz og:$abcdefghijklmnoprstuvwyz
oh:$abdehiklmnoprstuwy oi:$abcdefghijklmnopqrstvwxz oj:$abcdefgijklmnoprstuwz
ok:$abcdefghijklmnoprstuvwxyz ol:$abcdefghijklmnopqrstuvwyz om:$abcdefghijklmnopqrstuvwyz
on:$abcdefghijklmnopqrstuvwxyz oo:$abcdefghijklmnprstuvwyz op:$abcdefghijklmnopqrstuvwyz oq:u
or:$abcdefghijklmnopqrstuvwxyz os:$abcdefghijklmnopqrstuvwyz ot:$abcdefghijklmnoprstuvwyz
ou:$abcdefghijklmnopqrstuvwxyz ov:$aceijklnorsuvy ow:$abcdefghijklmnoprstuwyz ox:$acefhijkmostuvxy
oy:$abcdefiklmnorstuz oz:$abcdefghijklmnopqrstuwyz pa:$abcdefghijklmnopqrstuvwxyz pb:aeiloru
pc:$acehijlmoruyz pd:aeioruw pe:$abcdefghijklmnopqrstuvwxyz pf:$abcdefghiklmnoprstuvwyz pg:$aeiloru
ph:$aegilnorstuyz pi:$abcdefghijklmnopqrstuvwxz pj:aeou pk:aeilnortuw pl:$abceikmnosuwyz pm:$aeiouy
pn:$aeiouy po:$abcdefghijklmnopqrstuvwxyz pp:$abcdefghiklmnoprstuvwyz pq:u pr:$aeiouyz
ps:$abcdefghijklmnoprstuvwyz pt:$abcdefghijklmnopqrstuvwyz pu:$abcdefghijklmnoprstuwxyz pv:adeiloru
pw:aeinor py:$acdegijklmnoprstuwz pz:aeiouwy qa:imst qi:ehnqs qo:w qs:$ qu:$aeimory qv:a qw:ae
ra:$abcdefghijklmnopqrstuvwxyz rb:$abcdefghiklmnoprstuvyz rc:$acdefghijklmnopqrstuwyz
rd:$abcdefghijklmnoprstuvwyz re:$abcdefghijklmnopqrstuvwxyz rf:$abcdefghijklmnoprstuvwyz
rg:$abcdefghijklmnoprstuvwyz rh:$aeilouy ri:$abcdefghijklmnopqrstuvwxyz rj:aeiou
rk:$abcdefghijklmnoprstuvwxyz rl:$abcdeijkmopstuyz rm:$abcdefghijklmnoprstuvwyz
rn:$abcdefghijklmnoprstuvwyz ro:$abcdefghijklmnopqrstuvwxyz rp:$abcdefghijklmnoprstuvwyz rq:uw
rr:$abefghiklmnorstuvwyz rs:$abcdefghijklmnoprstuvwyz rt:$abcdefghijklmnopqrstuvwyz
ru:$abcdefghijklmnopqrstuvwxyz rv:$aeilorstuy rw:$abcdehilmnorstuyz rx:$aeios
ry:$abcdefghijklmnoprstuvwxz rz:$abcdefghijklmnoprstuvwyz sa:$abcdefghijklmnopqrstuvwxyz
sb:$aeiloruy sc:$acdehijklmoprsuyz sd:$aehinoruwyz se:$abcdefghijklmnopqrstuvwxyz sf:aeiloruy
sg:aehiloruy sh:$abcdefghijklmnopqrstuvwy si:$abcdefghijklmnopqrstuvwxz sj:$acehikmnorstu
sk:$adeijlmnorstuvwy sl:$abceikmnosuyz sm:$aeikorsuy sn:$aceikmouyz so:$abcdefghijklmnopqrstuvwxyz
sp:$aefhilnorstuy sq:luv sr:aehiouyz ss:$abcdefghijklmnoprstuvwyz st:$abcdefghijklmnopqrstuvwyz
su:$abcdefghijklmnopqrstuvwyz sv:aeiloru sw:aeioruy sy:$abcdefghijklmnprstuwz
sz:$abcefghijklmnoprstuwyz ta:$abcdefghijklmnopqrstuvwxyz tb:aeiloruy tc:aehiloruyz td:aeioruy
te:$abcdefghijklmnopqrstuvwxyz tf:aeiloru tg:$aeilortu th:$abcdefhijlmnoprstuwy
ti:$abcdefghijklmnopqrstuvwz tj:aeiou tk:aeilnoruw tl:$abceimnosuyz tm:$aeiouy tn:$aeiouy
to:$abcdefghijklmnopqrstuvwxyz tp:$acefhilmorsu tq:u tr:$acdefgijklmnoprstuwyz
ts:$abcdefghijklmnopqrstuvwyz tt:$abcdefghijklmnoprstuvwyz tu:$abcdefghijklmnopqrstuvwxyz
tv:$aeiloru tw:$acehikmoruyz ty:$abcdefghijklmnopqrstuwz tz:$abcdefghijklmnoprstuvwyz
ua:$abcdefghijklmnopqrstuvwyz ub:$abcdefghijklmnoprstuvwyz uc:$acehijklmnoprstuwyz
ud:$abcdefghijklmnoprstuvwyz ue:$abcdefghijklmnopqrstuvwxyz uf:$abcdefghijklmnopqrstuvwyz
ug:$abcdefghijklmnoprstuvwz uh:$abcdegijklmnoprstuwyz ui:$abcdefghijklmnopqrstuvwxyz
uj:$abcdegikmnoprsuwz uk:$abcdefghijklmnoprstuvwz ul:$abcdefghijklmnopqrstuvwyz
um:$abcdefghijklmnopqrstuvwyz un:$abcdefghijklmnopqrstuvwxyz uo:$bcdfgijklmnoprstuvwyz
up:$abcdefghijklmnoprstuvwyz uq:u ur:$abcdefghijklmnopqrstuvwyz us:$abcdefghijklmnopqrstuvwyz
ut:$abcdefghijklmnoprstuvwyz uu:$bcdgjklmnrstu uv:aeiloru uw:$abcdefghijklmnoprstuvwyz
ux:$abefhilorstuwy uy:$adefgiknopstuv uz:$abcdefghijklmnoprstuvwyz va:$abcdefghijklmnopqrstuvwyz
vb:$es vc:eh ve:$abcdefghijklmnopqrstuvwxyz vf:aoru vg:er vi:$abcdefghijklmnopqrstuvxz vj:e vk:aeio
vl:aeiou vm:e vn:ey vo:$abcdegiklmnopqrstuvwxyz vp:or vr:aeiouz vs:$ackt vt:$eo vu:$cegiklmnorstuvz
vv:aeioy vy:$cilmt wa:$abcdefghijklmnprstuvwxyz wb:aeiloru wc:$aehioruwyz wd:$aefhilmorsuyz
we:$abcdefghijklmnoprstuvwxyz wf:aeiloruy wg:aeilnor wh:$aeiou wi:$abcdefghijklmnoprstuvwxz wj:aeo
wk:$aeilnorsuw wl:$adeiopstuy wm:aegiloruy wn:$abeghilopstuwyz wo:$abcdefghijklmnoprstuvwyz
wp:aceilorsuy wr:$adeiosuyz ws:$abcdefghijklmnoprstuvwyz wt:$aehijlortuy wu:$abcdefghijklmnoprstuwz
wv:aeilor ww:$aeilosy wy:$abcdefghijklmnoprstuwyz wz:abdegijlmnoruwy xa:$abcdfgiklmnopqrstuvwz
xb:aeou xc:aehiloru xd:ir xe:$abcdeghiklmnopqrstuwz xf:aeor xg:er xh:aeiou
xi:$abcdefgijklmnopqrstvxz xj:e xk:alosu xl:aeio xm:aeio xn:eu xo:$cdefglmnoprstuvw xp:aeiloru xq:u
xr:eo xs:$aclptu xt:$abdefgiklmoprstuvz xu:$abdeglmoprst xv:$ei xw:eio xx:$iovx xy:$cdglmst xz:e
ya:$abcdefghijklmnopqrstuvwyz yb:$acdeiklmnoprsuyz yc:$acehijklmnoprtuwyz yd:$acdegiklmnorsuwyz
ye:$abcdefghklmnoprstuvwz yf:$acefiklmnorstuyz yg:$adefgilmnoruwz yh:aeiouy yi:$bcdejlmnoprstwz
yj:$abcdekmnorsuz yk:$aceijlmnoprstuw yl:$abcdefgijklmnoprstuvwyz ym:$abcdefgiklmnoprstuyz
yn:$abcdefghikmnostuwxyz yo:$bcdfgiklmnoprstuvwyz yp:$acefhiklmnoprstuvyz yq:u
yr:$abcdeghiklmnoprstuwyz ys:$abcdefghijklmnoprstuwyz yt:$acefhijklmnorstuwyz
yu:$abcdegijklmnprstvwxyz yv:aeor yw:$acdehiklmnorstuyz yx:$eio yy:oz yz:$abcdegijklmnoprstuwyz
za:$abcdefghijklmnopqrstuvwyz zb:$aceilmnoruyz zc:$aehiklouwyz zd:$abceijklmnoruwyz
ze:$abcdefghijklmnoprstuvwxyz zf:aeilnoru zg:$abdeilmnoruw zh:aeiouy zi:$abcdefghijklmnoprstuvwyz
zj:aeiou zk:$aeilmnorsuwy zl:$abceikmnosuyz zm:$aeilnoruy zn:$aceimouyz zo:$abcdefghijklmnopqrstuvwz
zp:$aefiloruy zq:u zr:$adeiotuyz zs:aceiklmnoprtuwyz zt:$abceghijklmoprsuwyz
zu:$abcdefghijklmnopqrstuvwz zv:aeo zw:$aceilmnorsuyz zy:$abcdefghijklmnoprstuwz
zz:$abcdefgiklmnoprsuwyz
"""
